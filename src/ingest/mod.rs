//! The edge where source documents come in: NDJSON is read line by line, each line parsed
//! and validated into a [`Document`] once, and every problem reported with its line and field.

mod strict;
pub mod synthetic;

use std::io::{self, BufRead};

use serde_json::Value;

use crate::analysis::detect_language;
use crate::schema::{Document, DocumentError};

/// Longest NDJSON line accepted, in bytes; longer lines are rejected without being buffered.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Why one line of NDJSON was rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("line {line}: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct LineError {
    /// 1-based line number in the input.
    pub line: usize,
    /// The offending field, when the problem is in one field.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Parses one document from JSON text and fills in its language when it was not declared.
/// A byte order mark before the text is skipped; a key given twice is refused.
pub fn parse_document(bytes: &[u8]) -> Result<Document, DocumentError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| DocumentError {
        field: None,
        message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    })?;
    let value: Value = strict::from_str(text).map_err(|e| match e {
        strict::StrictError::Duplicate(key) => DocumentError {
            field: Some(key),
            message: "given twice; give each field once".into(),
        },
        strict::StrictError::Json(e) => DocumentError {
            field: None,
            message: format!(
                "invalid JSON at column {}: {}",
                e.column(),
                strip_position(&e.to_string())
            ),
        },
    })?;
    let mut doc = Document::from_value(value)?;
    if doc.common.language.is_none() {
        let sample: String = doc.strings().map(|(_, t)| t).collect::<Vec<_>>().join(" ");
        doc.common.language = Some(detect_language(&sample));
    }
    Ok(doc)
}

fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// Reads NDJSON documents, yielding each valid document or the error of each invalid line.
/// Blank lines are skipped; an I/O error ends the stream after it is yielded.
pub fn read_ndjson<R: BufRead>(reader: R) -> NdjsonReader<R> {
    NdjsonReader {
        reader,
        line: 0,
        buf: Vec::new(),
        failed: false,
    }
}

/// Iterator returned by [`read_ndjson`].
pub struct NdjsonReader<R> {
    reader: R,
    line: usize,
    buf: Vec<u8>,
    failed: bool,
}

/// One item of an NDJSON stream.
#[derive(Debug)]
pub enum Item {
    /// A valid document and its line number.
    Document(usize, Box<Document>),
    /// A rejected line.
    Rejected(LineError),
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed {
                return None;
            }
            let too_long = match read_bounded_line(&mut self.reader, &mut self.buf, MAX_LINE_BYTES)
            {
                Ok(None) => return None,
                Ok(Some(too_long)) => too_long,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            };
            self.line += 1;
            let line = self.line;
            if too_long {
                let message = format!("line is longer than {MAX_LINE_BYTES} bytes");
                return Some(Ok(Item::Rejected(LineError {
                    line,
                    field: None,
                    message,
                })));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(match parse_document(&self.buf) {
                Ok(doc) => Item::Document(line, Box::new(doc)),
                Err(e) => Item::Rejected(LineError {
                    line,
                    field: e.field,
                    message: e.message,
                }),
            }));
        }
    }
}

/// Reads one line into `buf` without its newline, keeping at most `max` bytes.
/// Returns `None` at end of input, else whether the line was longer than `max`.
fn read_bounded_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(seen_any.then_some(too_long));
        }
        seen_any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if buf.len() + part.len() > max {
            too_long = true;
            buf.clear();
        } else if !too_long {
            buf.extend_from_slice(part);
        }
        let consumed = done.unwrap_or(chunk.len());
        reader.consume(consumed);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"kind":"network","id":"verkosto-a","title":"Perhekeskusverkosto","summary":"Kehittäjien verkosto.","language":"fi","created_at":"2024-01-01","updated_at":"2024-01-01","description":"Tapaamme kuukausittain."}"#;

    fn run(input: &[u8]) -> Vec<Result<usize, LineError>> {
        read_ndjson(input)
            .map(|item| match item.unwrap() {
                Item::Document(line, _) => Ok(line),
                Item::Rejected(e) => Err(e),
            })
            .collect()
    }

    #[test]
    fn every_bad_line_is_reported_and_good_lines_survive() {
        let unknown = VALID.replace("\"description\"", "\"colour\":\"red\",\"description\"");
        let bad_date = VALID.replace("2024-01-01\",\"description", "01.01.2024\",\"description");
        let mut input = Vec::new();
        for line in [VALID, "{not json", "", &unknown, &bad_date] {
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
        }
        input.extend_from_slice(b"{\"kind\":\"network\",\"title\":\"\xff\"}\n");
        input.extend_from_slice(VALID.replace("verkosto-a", "verkosto-b").as_bytes());
        let results = run(&input);
        assert_eq!(results.len(), 6);
        assert_eq!(results[0], Ok(1));
        let e = results[1].clone().unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, None));
        assert!(e.message.starts_with("invalid JSON"), "{}", e.message);
        let e = results[2].clone().unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (4, Some("colour")));
        let e = results[3].clone().unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (5, Some("updated_at")));
        let e = results[4].clone().unwrap_err();
        assert!(e.message.contains("UTF-8"), "{}", e.message);
        assert_eq!(results[5], Ok(7));
    }

    #[test]
    fn overlong_lines_are_rejected_without_losing_the_next() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
        input.push(b'\n');
        input.extend_from_slice(VALID.as_bytes());
        let results = run(&input);
        assert!(
            results[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("longer than")
        );
        assert_eq!(results[1], Ok(2));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_a_repeated_key_is_named() {
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend_from_slice(VALID.as_bytes());
        input.push(b'\n');
        input.extend_from_slice(
            VALID
                .replace("verkosto-a", "verkosto-b")
                .replace("\"summary\"", "\"title\":\"Toinen\",\"summary\"")
                .as_bytes(),
        );
        let results = run(&input);
        assert_eq!(results[0], Ok(1));
        let e = results[1].clone().unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("title")), "{e}");
    }

    #[test]
    fn missing_language_is_detected() {
        let text = VALID.replace(",\"language\":\"fi\"", "").replace(
            "Tapaamme kuukausittain.",
            "Vi träffas varje månad för att utveckla familjecentralernas verksamhet tillsammans med familjerna.",
        );
        let text = text.replace(
            "Kehittäjien verkosto.",
            "Ett nätverk för utvecklare av familjecentraler i Österbotten.",
        );
        let doc = parse_document(text.as_bytes()).unwrap();
        assert_eq!(doc.common.language, Some(crate::schema::Language::Sv));
    }
}
