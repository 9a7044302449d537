//! JSON read strictly: an object that names a key twice is refused, naming the key. serde_json
//! keeps the last value silently, so a document whose `title` appears twice would be stored
//! with whichever came last, unnoticed by its author.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why text is not strict JSON.
#[derive(Debug)]
pub enum StrictError {
    /// A key appears twice in one object; the key.
    Duplicate(String),
    /// Not JSON at all.
    Json(serde_json::Error),
}

/// Parses JSON text, refusing objects with a repeated key.
pub fn from_str(text: &str) -> Result<Value, StrictError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (_, Some(key)) => Err(StrictError::Duplicate(key)),
        (Ok(value), None) => Ok(value),
        (Err(e), None) => Err(StrictError::Json(e)),
    }
}

/// Builds a [`Value`], noting the first repeated key.
#[derive(Clone, Copy)]
struct Strict<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let message = format!("duplicate key `{key}`");
                *self.duplicate.borrow_mut() = Some(key);
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_named_and_everything_else_parses_as_serde_json_does() {
        for text in [
            r#"{"a": 1, "b": [1, -2, 3.5, "x", null, true, {"a": 2}]}"#,
            r#"[]"#,
            r#""ä\u00e4""#,
            "18446744073709551615",
        ] {
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(from_str(text).unwrap(), expected, "{text}");
        }
        match from_str(r#"{"title": "a", "summary": "s", "title": "b"}"#) {
            Err(StrictError::Duplicate(key)) => assert_eq!(key, "title"),
            other => panic!("{other:?}"),
        }
        match from_str(r#"{"x": [{"k": 1, "k": 2}]}"#) {
            Err(StrictError::Duplicate(key)) => assert_eq!(key, "k"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(from_str("{} {}"), Err(StrictError::Json(_))));
        assert!(matches!(from_str("{"), Err(StrictError::Json(_))));
    }
}
