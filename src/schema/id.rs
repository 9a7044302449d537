//! Validated scalar types that documents carry: ids and URLs.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

/// Longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Longest URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// A document id: a slug of lowercase ASCII letters, digits and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocId(String);

/// Why a string is not a valid [`DocId`] or [`HttpUrl`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    /// The id is not a slug.
    #[error(
        "`{0}` is not a valid id: use 1-128 lowercase letters a-z, digits and single hyphens, e.g. `perhekeskus-tampere`"
    )]
    Id(String),
    /// The URL does not parse or is not http(s).
    #[error("`{0}` is not an http(s) URL")]
    Url(String),
}

impl DocId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DocId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = !s.is_empty()
            && s.len() <= MAX_ID_LEN
            && s.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if valid {
            Ok(DocId(s.to_owned()))
        } else {
            Err(InvalidValue::Id(s.chars().take(MAX_ID_LEN).collect()))
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for DocId {
    fn schema_name() -> Cow<'static, str> {
        "DocId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A slug: lowercase letters a-z, digits and single inner hyphens",
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
            "minLength": 1,
            "maxLength": MAX_ID_LEN,
        })
    }
}

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// The URL as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for HttpUrl {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The URL parser is forgiving where a stored link should not be: `https:host` is
        // read as `https://host/`, and tabs and line breaks inside are dropped.
        let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
        let written = (lower.starts_with("http://") || lower.starts_with("https://"))
            && s.len() <= MAX_URL_LEN
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !written {
            return Err(InvalidValue::Url(s.chars().take(200).collect()));
        }
        match url::Url::parse(s) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {
                Ok(HttpUrl(s.to_owned()))
            }
            _ => Err(InvalidValue::Url(s.chars().take(200).collect())),
        }
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for HttpUrl {
    fn schema_name() -> Cow<'static, str> {
        "HttpUrl".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "uri", "pattern": "^[hH][tT][tT][pP][sS]?://[^\\s]+$", "maxLength": MAX_URL_LEN })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs() {
        for ok in ["a", "perhekeskus-tampere", "hanke-2024", "x1-y2-z3"] {
            assert!(ok.parse::<DocId>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Perhe",
            "perhe keskus",
            "perhekeskus_2",
            "ä",
            &"a".repeat(129),
        ] {
            assert!(bad.parse::<DocId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_http() {
        assert!("https://innokyla.example/fi/x".parse::<HttpUrl>().is_ok());
        assert!("http://localhost:8080/".parse::<HttpUrl>().is_ok());
        for bad in [
            "ftp://x.org/",
            "javascript:alert(1)",
            "innokyla.fi",
            "https://",
            "https:evil.example",
            "https:/evil.example",
            "https://evil.example/a\tb",
            &format!("https://x.example/{}", "a".repeat(MAX_URL_LEN)),
        ] {
            assert!(bad.parse::<HttpUrl>().is_err(), "{bad}");
        }
    }
}
