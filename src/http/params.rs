//! Query-string parsing for search: every parameter checked once, errors naming it.

use std::str::FromStr;

use crate::index::{DateField, FacetField};
use crate::schema::{Kind, Language, Phase, Region, TargetGroup, Theme};
use crate::search::{
    MAX_FACET_VALUES, MAX_LIMIT, MAX_OFFSET, Matching, Order, SearchRequest, query::MAX_QUERY_CHARS,
};

use super::error::ApiError;

/// Parses `GET /v1/search` parameters. Facet parameters may repeat (`region=a&region=b`) or
/// hold comma-separated values; either way the values combine with OR.
pub fn search_request(raw: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest::default();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "q" => {
                if value.chars().count() > MAX_QUERY_CHARS {
                    return Err(ApiError::param(
                        "q",
                        format!("the query is longer than {MAX_QUERY_CHARS} characters"),
                    ));
                }
                req.q = value.into_owned();
            }
            "limit" => req.limit = number("limit", &value, 1, MAX_LIMIT)?,
            "prefix" => {
                req.prefix = match value.as_ref() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(ApiError::param(
                            "prefix",
                            format!("`{}` must be true or false", clip(other)),
                        ));
                    }
                }
            }
            "offset" => req.offset = number("offset", &value, 0, MAX_OFFSET)?,
            "lang" => req.prefer = Some(self::value("lang", &value)?),
            "match" => {
                req.matching = match value.as_ref() {
                    "all" => Matching::All,
                    "most" => Matching::Most,
                    "any" => Matching::Any,
                    other => {
                        return Err(ApiError::param(
                            "match",
                            format!("unknown match `{}`; use all, most or any", clip(other)),
                        ));
                    }
                }
            }
            "facet_limit" => {
                req.facet_values = number("facet_limit", &value, 0, MAX_FACET_VALUES)?;
            }
            "sort" => {
                req.order = Some(match value.as_ref() {
                    "relevance" => Order::Relevance,
                    "newest" => Order::Newest,
                    "title" => Order::Title,
                    other => {
                        return Err(ApiError::param(
                            "sort",
                            format!(
                                "unknown sort `{}`; use relevance, newest or title",
                                clip(other)
                            ),
                        ));
                    }
                })
            }
            name if date_param(name).is_some() => {
                let (date, from) = date_param(name).expect("checked");
                let day =
                    crate::schema::parse_date(&value).map_err(|e| ApiError::param(name, e))?;
                let at = req
                    .dates
                    .iter()
                    .position(|(d, _, _)| *d == date)
                    .unwrap_or_else(|| {
                        req.dates.push((date, None, None));
                        req.dates.len() - 1
                    });
                if from {
                    req.dates[at].1 = Some(day);
                } else {
                    req.dates[at].2 = Some(day);
                }
            }
            name => {
                let facet = FacetField::ALL
                    .into_iter()
                    .find(|f| f.name() == name)
                    .ok_or_else(|| {
                        ApiError::param(
                            name,
                            format!("unknown parameter `{}`; {}", clip(name), ACCEPTED),
                        )
                    })?;
                for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    check_facet_value(facet, v)?;
                    let at = req
                        .selection
                        .iter()
                        .position(|(f, _)| *f == facet)
                        .unwrap_or_else(|| {
                            req.selection.push((facet, Vec::new()));
                            req.selection.len() - 1
                        });
                    let values = &mut req.selection[at].1;
                    if !values.iter().any(|x| x == v) {
                        values.push(v.to_owned());
                    }
                }
            }
        }
    }
    Ok(req)
}

/// `created_from`, `updated_to`, … → the date and whether it is the lower bound.
fn date_param(name: &str) -> Option<(DateField, bool)> {
    let (stem, side) = name.rsplit_once('_')?;
    let from = match side {
        "from" => true,
        "to" => false,
        _ => return None,
    };
    DateField::ALL
        .iter()
        .find(|(_, s)| *s == stem)
        .map(|(d, _)| (*d, from))
}

const ACCEPTED: &str = "accepted: q, match, limit, offset, sort, prefix, facet_limit, lang, kind, region, theme, target_group, phase, language, organisation, programme, year, created_from, created_to, updated_from, updated_to, start_from, start_to, end_from, end_to";

/// A whole number parameter in `min..=max`.
pub(crate) fn number(param: &str, value: &str, min: usize, max: usize) -> Result<usize, ApiError> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::param(
            param,
            format!(
                "`{}` must be a whole number from {min} to {max}",
                clip(value)
            ),
        )),
    }
}

/// A parameter of a parsed type; the type's error names what is accepted.
pub(crate) fn value<T: FromStr>(param: &str, value: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e: T::Err| ApiError::param(param, e.to_string()))
}

/// A parameter that may repeat or hold comma-separated values, appended to `into`.
pub(crate) fn values<T: FromStr>(param: &str, list: &str, into: &mut Vec<T>) -> Result<(), ApiError>
where
    T::Err: std::fmt::Display,
{
    for v in list.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        into.push(value(param, v)?);
    }
    Ok(())
}

fn check_facet_value(facet: FacetField, value: &str) -> Result<(), ApiError> {
    fn vocab<T: FromStr>(facet: FacetField, v: &str) -> Result<(), ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self::value::<T>(facet.name(), v).map(|_| ())
    }
    match facet {
        FacetField::Kind => vocab::<Kind>(facet, value),
        FacetField::Region => vocab::<Region>(facet, value),
        FacetField::Theme => vocab::<Theme>(facet, value),
        FacetField::TargetGroup => vocab::<TargetGroup>(facet, value),
        FacetField::Phase => vocab::<Phase>(facet, value),
        FacetField::Language => vocab::<Language>(facet, value),
        FacetField::Year => match value.parse::<u16>() {
            Ok(y) if (1900..=2200).contains(&y) => Ok(()),
            _ => Err(ApiError::param(
                "year",
                format!("`{}` is not a year", clip(value)),
            )),
        },
        FacetField::Organisation | FacetField::Programme => {
            if value.len() > 200 {
                Err(ApiError::param(facet.name(), "longer than 200 bytes"))
            } else {
                Ok(())
            }
        }
    }
}

/// Shortens user input quoted back in an error message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
