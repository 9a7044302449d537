//! The document model: practices, projects and networks, as they arrive and are stored.
//!
//! A document is a shared [`Common`] core plus per-kind [`Details`]. On the wire it is one flat
//! JSON object tagged by `kind`. Parsing goes through [`Document::from_value`], which rejects
//! unknown fields by name and reports every error with the field it concerns; the JSON
//! Schemas in `schemas/` are generated from these types by [`json_schemas`].

mod id;
mod vocab;

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use id::{DocId, HttpUrl, InvalidValue, MAX_ID_LEN};
pub use vocab::{
    Kind, Labels, Language, Phase, ProjectStatus, Region, TargetGroup, Theme, UnknownTerm,
};

/// Longest text accepted in any one string field, in bytes.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Most organisations one document names: each is a facet value of every search.
pub const MAX_ORGANISATIONS: usize = 50;
/// Longest organisation name, in characters.
pub const MAX_ORGANISATION_CHARS: usize = 200;
/// Most ids in one list of links (`projects`, `practices`, `networks`): each is followed
/// when recommending.
pub const MAX_LINKS: usize = 200;
/// Most language versions one document lists.
pub const MAX_TRANSLATIONS: usize = 10;
/// The years a date may fall in.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Fields every kind of document has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Common {
    /// Unique id across all kinds, a slug.
    pub id: DocId,
    /// The name of the practice, project or network.
    pub title: String,
    /// A short description (tiivistelmä / sammanfattning), a few sentences.
    pub summary: String,
    /// Language of the text; detected from the text when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// Themes the document is about, each once.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true))]
    pub themes: Vec<Theme>,
    /// Whom the work is for, each once.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true))]
    pub target_groups: Vec<TargetGroup>,
    /// Wellbeing services counties, Helsinki, or `national`, each once.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true))]
    pub regions: Vec<Region>,
    /// Developing, member or partner organisations, each once.
    #[serde(default)]
    #[schemars(length(max = MAX_ORGANISATIONS), inner(length(min = 1, max = MAX_ORGANISATION_CHARS)), extend("uniqueItems" = true))]
    pub organisations: Vec<String>,
    /// When the description was first published (ISO 8601 date).
    #[schemars(extend("pattern" = DATE_PATTERN))]
    pub created_at: NaiveDate,
    /// When it was last changed (ISO 8601 date); never before `created_at`.
    #[schemars(extend("pattern" = DATE_PATTERN))]
    pub updated_at: NaiveDate,
    /// Canonical page of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<HttpUrl>,
    /// Ids of the same document in other languages (kieliversiot / språkversioner).
    /// Recommendations offer them as translations, never as similar documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_TRANSLATIONS), extend("uniqueItems" = true))]
    pub translations: Vec<DocId>,
}

/// A practice (toimintamalli / verksamhetsmodell): a reusable way of working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeDetails {
    /// The need behind the work and the operating environment (toimintaympäristö ja
    /// lähtötilanne / verksamhetsmiljö och behov).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// What the practice aims at (tavoitteet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<String>,
    /// How it works in practice (toteutus).
    pub how_it_works: String,
    /// Staff, premises, tools and costs it needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<String>,
    /// Results, benefits and how they were evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
    /// What it takes to adopt it elsewhere (toimivuuden ja käyttöönoton ehdot /
    /// förutsättningar för införande).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adoption: Option<String>,
    /// Development phase.
    pub phase: Phase,
    /// The organisation to contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_organisation: Option<String>,
    /// Projects the practice came from.
    #[serde(default)]
    #[schemars(length(max = MAX_LINKS), extend("uniqueItems" = true))]
    pub projects: Vec<DocId>,
}

/// A project (hanke / projekt): funded development work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectDetails {
    /// What the project aims at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<String>,
    /// What it produced or has produced so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<String>,
    /// Who funds it, e.g. STM, STEA, ESR+.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funder: Option<String>,
    /// The funding programme, e.g. Tulevaisuuden sosiaali- ja terveyskeskus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    /// First day (ISO 8601 date).
    #[schemars(extend("pattern" = DATE_PATTERN))]
    pub start_date: NaiveDate,
    /// Last day (ISO 8601 date); never before `start_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = DATE_PATTERN))]
    pub end_date: Option<NaiveDate>,
    /// Planned, running or ended.
    pub status: ProjectStatus,
    /// Practices the project produced.
    #[serde(default)]
    #[schemars(length(max = MAX_LINKS), extend("uniqueItems" = true))]
    pub practices: Vec<DocId>,
    /// Networks the project belongs to.
    #[serde(default)]
    #[schemars(length(max = MAX_LINKS), extend("uniqueItems" = true))]
    pub networks: Vec<DocId>,
}

/// A network (verkosto / nätverk): a community around a theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkDetails {
    /// Who meets, how and what for.
    pub description: String,
    /// Projects linked to the network.
    #[serde(default)]
    #[schemars(length(max = MAX_LINKS), extend("uniqueItems" = true))]
    pub projects: Vec<DocId>,
    /// Practices linked to the network.
    #[serde(default)]
    #[schemars(length(max = MAX_LINKS), extend("uniqueItems" = true))]
    pub practices: Vec<DocId>,
}

/// The per-kind part of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    /// A practice.
    Practice(PracticeDetails),
    /// A project.
    Project(ProjectDetails),
    /// A network.
    Network(NetworkDetails),
}

/// One practice, project or network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Fields every kind has.
    #[serde(flatten)]
    pub common: Common,
    /// Fields of this kind.
    #[serde(flatten)]
    pub details: Details,
}

/// Why a JSON value is not a valid document, naming the field where it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct DocumentError {
    /// The offending field, as a path such as `themes[2]`; `None` for the whole document.
    pub field: Option<String>,
    /// What is wrong, and what to do.
    pub message: String,
}

impl DocumentError {
    fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        DocumentError {
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

impl Document {
    /// Parses and validates a document from JSON.
    pub fn from_value(value: Value) -> Result<Document, DocumentError> {
        let Value::Object(mut map) = value else {
            return Err(DocumentError {
                field: None,
                message: "expected a JSON object".into(),
            });
        };
        let kind = match map.remove("kind") {
            None => {
                return Err(DocumentError::at(
                    "kind",
                    "missing field; use practice, project or network",
                ));
            }
            Some(Value::String(s)) => s
                .parse::<Kind>()
                .map_err(|e| DocumentError::at("kind", e.to_string()))?,
            Some(_) => {
                return Err(DocumentError::at(
                    "kind",
                    "expected a string: practice, project or network",
                ));
            }
        };
        let contract = contract(kind);
        if let Some(unknown) = map.keys().find(|k| !contract.all.contains(&k.as_str())) {
            return Err(DocumentError::at(
                unknown.clone(),
                format!("unknown field for a {}", kind.id()),
            ));
        }
        if let Some(missing) = contract.required.iter().find(|k| !map.contains_key(**k)) {
            return Err(DocumentError::at(*missing, "missing required field"));
        }
        // chrono also reads `2024-1-1` and `+002024-01-01`: dates are checked as written.
        for &field in &contract.dates {
            if let Some(Value::String(text)) = map.get(field) {
                parse_date(text).map_err(|message| DocumentError::at(field, message))?;
            }
        }
        let (common, details): (Map<String, Value>, Map<String, Value>) = map
            .into_iter()
            .partition(|(k, _)| contract.common.contains(&k.as_str()));
        let common: Common = parse(common)?;
        let details = match kind {
            Kind::Practice => Details::Practice(parse(details)?),
            Kind::Project => Details::Project(parse(details)?),
            Kind::Network => Details::Network(parse(details)?),
        };
        let doc = Document { common, details };
        doc.check()?;
        Ok(doc)
    }

    /// Checks the rules that types alone do not express.
    fn check(&self) -> Result<(), DocumentError> {
        let c = &self.common;
        for (field, text) in self.strings() {
            if text.len() > MAX_FIELD_BYTES {
                return Err(DocumentError::at(
                    field,
                    format!("longer than {MAX_FIELD_BYTES} bytes"),
                ));
            }
        }
        for (field, text) in [("title", &c.title), ("summary", &c.summary)] {
            if text.trim().is_empty() {
                return Err(DocumentError::at(field, "must not be empty"));
            }
        }
        let lists: [(&str, usize, usize); 4] = [
            ("themes", c.themes.len(), Theme::ALL.len()),
            (
                "target_groups",
                c.target_groups.len(),
                TargetGroup::ALL.len(),
            ),
            ("regions", c.regions.len(), Region::ALL.len()),
            ("organisations", c.organisations.len(), MAX_ORGANISATIONS),
        ];
        for (field, len, max) in lists {
            check_len(field, len, max)?;
        }
        check_unique("themes", &c.themes)?;
        check_unique("target_groups", &c.target_groups)?;
        check_unique("regions", &c.regions)?;
        check_unique("organisations", &c.organisations)?;
        for (i, name) in c.organisations.iter().enumerate() {
            let chars = name.chars().count();
            if name.trim().is_empty() || chars > MAX_ORGANISATION_CHARS {
                return Err(DocumentError::at(
                    format!("organisations[{i}]"),
                    format!("an organisation's name has 1-{MAX_ORGANISATION_CHARS} characters"),
                ));
            }
        }
        check_len("translations", c.translations.len(), MAX_TRANSLATIONS)?;
        check_unique("translations", &c.translations)?;
        for (field, ids) in self.link_lists() {
            check_len(field, ids.len(), MAX_LINKS)?;
            check_unique(field, ids)?;
        }
        for (field, date) in self.dates() {
            if !DATE_YEARS.contains(&date.year()) {
                return Err(DocumentError::at(field, year_message()));
            }
        }
        if c.updated_at < c.created_at {
            return Err(DocumentError::at("updated_at", "is before created_at"));
        }
        if let Details::Project(p) = &self.details
            && p.end_date.is_some_and(|end| end < p.start_date)
        {
            return Err(DocumentError::at("end_date", "is before start_date"));
        }
        if let Some((field, _)) = self.links().find(|(_, id)| **id == c.id) {
            return Err(DocumentError::at(field, "a document cannot link to itself"));
        }
        if c.translations.contains(&c.id) {
            return Err(DocumentError::at(
                "translations",
                "a document cannot be its own translation",
            ));
        }
        Ok(())
    }

    /// The document's id.
    pub fn id(&self) -> &DocId {
        &self.common.id
    }

    /// Which kind it is.
    pub fn kind(&self) -> Kind {
        match self.details {
            Details::Practice(_) => Kind::Practice,
            Details::Project(_) => Kind::Project,
            Details::Network(_) => Kind::Network,
        }
    }

    /// The language of its text; Finnish where it was neither declared nor detected.
    pub fn language(&self) -> Language {
        self.common.language.unwrap_or(Language::Fi)
    }

    /// The development phase of a practice.
    pub fn phase(&self) -> Option<Phase> {
        match &self.details {
            Details::Practice(p) => Some(p.phase),
            _ => None,
        }
    }

    /// Every free-text field with its name, title and summary first.
    pub fn strings(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let c = &self.common;
        let head = [("title", Some(&c.title)), ("summary", Some(&c.summary))];
        let body: Vec<(&'static str, Option<&String>)> = match &self.details {
            Details::Practice(p) => vec![
                ("background", p.background.as_ref()),
                ("goals", p.goals.as_ref()),
                ("how_it_works", Some(&p.how_it_works)),
                ("resources", p.resources.as_ref()),
                ("evaluation", p.evaluation.as_ref()),
                ("adoption", p.adoption.as_ref()),
                ("contact_organisation", p.contact_organisation.as_ref()),
            ],
            Details::Project(p) => vec![
                ("goals", p.goals.as_ref()),
                ("results", p.results.as_ref()),
                ("funder", p.funder.as_ref()),
                ("programme", p.programme.as_ref()),
            ],
            Details::Network(n) => vec![("description", Some(&n.description))],
        };
        let orgs = c
            .organisations
            .iter()
            .map(|o| ("organisations", o.as_str()));
        head.into_iter()
            .chain(body)
            .filter_map(|(name, text)| text.map(|t| (name, t.as_str())))
            .chain(orgs)
    }

    /// Links to other documents, with the field that holds each.
    pub fn links(&self) -> impl Iterator<Item = (&'static str, &DocId)> {
        self.link_lists()
            .into_iter()
            .flat_map(|(name, ids)| ids.iter().map(move |id| (name, id)))
    }

    /// The lists of links, by field.
    fn link_lists(&self) -> Vec<(&'static str, &Vec<DocId>)> {
        match &self.details {
            Details::Practice(p) => vec![("projects", &p.projects)],
            Details::Project(p) => vec![("practices", &p.practices), ("networks", &p.networks)],
            Details::Network(n) => vec![("projects", &n.projects), ("practices", &n.practices)],
        }
    }

    /// Every date, by field.
    fn dates(&self) -> Vec<(&'static str, NaiveDate)> {
        let c = &self.common;
        let mut dates = vec![("created_at", c.created_at), ("updated_at", c.updated_at)];
        if let Details::Project(p) = &self.details {
            dates.push(("start_date", p.start_date));
            dates.extend(p.end_date.map(|d| ("end_date", d)));
        }
        dates
    }
}

/// How a document is kept inside the index: the same data, laid out so that reading it back
/// takes derived deserialization only. The wire format's flattened, tagged layout must go
/// through a JSON value and validation, which cost most of showing a hit; what the index
/// holds was validated on the way in.
#[derive(Serialize)]
struct StoredRef<'a> {
    common: &'a Common,
    details: StoredDetailsRef<'a>,
}

#[derive(Serialize)]
enum StoredDetailsRef<'a> {
    Practice(&'a PracticeDetails),
    Project(&'a ProjectDetails),
    Network(&'a NetworkDetails),
}

#[derive(Deserialize)]
struct Stored {
    common: Common,
    details: StoredDetails,
}

#[derive(Deserialize)]
enum StoredDetails {
    Practice(PracticeDetails),
    Project(ProjectDetails),
    Network(NetworkDetails),
}

impl Document {
    /// The document as the index stores it.
    pub fn to_stored(&self) -> String {
        let details = match &self.details {
            Details::Practice(p) => StoredDetailsRef::Practice(p),
            Details::Project(p) => StoredDetailsRef::Project(p),
            Details::Network(n) => StoredDetailsRef::Network(n),
        };
        let stored = StoredRef {
            common: &self.common,
            details,
        };
        serde_json::to_string(&stored).expect("a document always serializes")
    }

    /// A document as [`Document::to_stored`] wrote it.
    pub fn from_stored(json: &str) -> Result<Document, serde_json::Error> {
        let Stored { common, details } = serde_json::from_str(json)?;
        let details = match details {
            StoredDetails::Practice(p) => Details::Practice(p),
            StoredDetails::Project(p) => Details::Project(p),
            StoredDetails::Network(n) => Details::Network(n),
        };
        Ok(Document { common, details })
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Document::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The shape every date is written in, for the JSON Schemas.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

fn year_message() -> String {
    format!(
        "the year must be from {} to {}",
        DATE_YEARS.start(),
        DATE_YEARS.end()
    )
}

/// Parses a date written as ISO 8601 `YYYY-MM-DD`, nothing looser, in [`DATE_YEARS`].
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let clipped: String = text.chars().take(40).collect();
    let date = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("`{clipped}` is not an ISO 8601 date: write YYYY-MM-DD"))?;
    if !DATE_YEARS.contains(&date.year()) {
        return Err(year_message());
    }
    Ok(date)
}

fn check_len(field: &str, len: usize, max: usize) -> Result<(), DocumentError> {
    if len > max {
        return Err(DocumentError::at(
            field,
            format!("{len} values; at most {max} are accepted"),
        ));
    }
    Ok(())
}

/// Refuses a list that names a value twice, naming the repeat.
fn check_unique<T: PartialEq>(field: &str, items: &[T]) -> Result<(), DocumentError> {
    for (i, item) in items.iter().enumerate() {
        if let Some(first) = items[..i].iter().position(|x| x == item) {
            return Err(DocumentError::at(
                format!("{field}[{i}]"),
                format!("repeats {field}[{first}]; list each value once"),
            ));
        }
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Result<T, DocumentError> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        DocumentError {
            field: (path != ".").then_some(path),
            message,
        }
    })
}

/// The field names of one kind, read off its generated JSON Schema so they never drift.
struct Contract {
    common: Vec<&'static str>,
    all: Vec<&'static str>,
    required: Vec<&'static str>,
    /// The fields that hold dates.
    dates: Vec<&'static str>,
}

fn contract(kind: Kind) -> &'static Contract {
    static CONTRACTS: OnceLock<Vec<Contract>> = OnceLock::new();
    let contracts = CONTRACTS.get_or_init(|| {
        let leak = |s: &String| -> &'static str { Box::leak(s.clone().into_boxed_str()) };
        let common = schema_fields::<Common>();
        Kind::ALL
            .iter()
            .map(|&kind| {
                let schema = kind_schema(kind);
                let properties = schema["properties"].as_object().expect("properties");
                let all: Vec<&'static str> = properties.keys().map(leak).collect();
                let dates = properties
                    .iter()
                    .filter(|(_, p)| p["format"] == "date")
                    .map(|(k, _)| leak(k))
                    .collect();
                let required = schema["required"]
                    .as_array()
                    .expect("required")
                    .iter()
                    .filter_map(|v| v.as_str())
                    .filter(|k| *k != "kind")
                    .map(|k| leak(&k.to_owned()))
                    .collect();
                Contract {
                    common: common.iter().map(leak).collect(),
                    all,
                    required,
                    dates,
                }
            })
            .collect()
    });
    &contracts[Kind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind has a contract")]
}

fn schema_fields<T: JsonSchema>() -> Vec<String> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.as_value()["properties"]
        .as_object()
        .expect("a struct schema has properties")
        .keys()
        .cloned()
        .collect()
}

/// The JSON Schema (draft 2020-12) of one kind of document, as checked in under `schemas/`.
pub fn kind_schema(kind: Kind) -> Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let common = generator.root_schema_for::<Common>();
    let details = match kind {
        Kind::Practice => generator.root_schema_for::<PracticeDetails>(),
        Kind::Project => generator.root_schema_for::<ProjectDetails>(),
        Kind::Network => generator.root_schema_for::<NetworkDetails>(),
    };
    let defs = generator.take_definitions(true);
    let mut properties = Map::new();
    properties.insert(
        "kind".into(),
        json!({ "const": kind.id(), "description": "Which kind of document this is" }),
    );
    let mut required = vec![json!("kind")];
    for part in [common.as_value(), details.as_value()] {
        properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
        required.extend(part["required"].as_array().cloned().unwrap_or_default());
    }
    let labels = kind.labels();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://innohaku.fi/schemas/{}.schema.json", kind.id()),
        "title": format!("{} ({} / {})", labels.en, labels.fi, labels.sv),
        "description": format!("One {} as Innohaku ingests it: one JSON object, one line of NDJSON. Unknown fields are rejected.", kind.id()),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "$defs": defs,
    })
}

/// Every kind's schema with the file name it is checked in under.
pub fn json_schemas() -> Vec<(String, Value)> {
    Kind::ALL
        .iter()
        .map(|&k| (format!("{}.schema.json", k.id()), kind_schema(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn practice() -> Value {
        json!({
            "kind": "practice", "id": "perhevalmennus", "title": "Perhevalmennus",
            "summary": "Ryhmävalmennus odottaville perheille.", "language": "fi",
            "themes": ["family_centres"], "regions": ["pirkanmaa"],
            "created_at": "2024-01-02", "updated_at": "2024-03-04",
            "how_it_works": "Kuusi tapaamista.", "phase": "ready", "projects": ["hanke-x"]
        })
    }

    fn error_of(v: Value) -> DocumentError {
        Document::from_value(v).unwrap_err()
    }

    #[test]
    fn a_valid_practice_round_trips() {
        let doc = Document::from_value(practice()).unwrap();
        assert_eq!(doc.kind(), Kind::Practice);
        let back = Document::from_value(serde_json::to_value(&doc).unwrap()).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn unknown_fields_are_named() {
        let mut v = practice();
        v["colour"] = json!("red");
        assert_eq!(error_of(v).field.as_deref(), Some("colour"));
        // A field of another kind is unknown too.
        let mut v = practice();
        v["funder"] = json!("STM");
        assert_eq!(
            error_of(v).to_string(),
            "field `funder`: unknown field for a practice"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("title", json!(null), "title"),
            ("created_at", json!("2024-13-01"), "created_at"),
            ("url", json!("ftp://x.org"), "url"),
            ("id", json!("Not A Slug"), "id"),
            ("phase", json!("done"), "phase"),
            (
                "themes",
                json!(["family_centres", "astrology"]),
                "themes[1]",
            ),
            ("updated_at", json!("2023-01-01"), "updated_at"),
            ("projects", json!(["perhevalmennus"]), "projects"),
        ];
        for (field, value, expected) in cases {
            let mut v = practice();
            v[field] = value;
            assert_eq!(error_of(v).field.as_deref(), Some(expected), "{field}");
        }
        let mut v = practice();
        v.as_object_mut().unwrap().remove("how_it_works");
        assert_eq!(error_of(v).field.as_deref(), Some("how_it_works"));
    }

    #[test]
    fn schemas_forbid_unknown_fields_and_list_required_ones() {
        let s = kind_schema(Kind::Project);
        assert_eq!(s["additionalProperties"], json!(false));
        let required: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        for field in ["kind", "id", "title", "start_date", "status"] {
            assert!(required.contains(&field), "{field}");
        }
        assert!(s["properties"]["regions"].is_object());
    }
}
