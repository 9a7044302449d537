//! A snapshot's manifest: what it holds, with a SHA-256 per file, written last.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReplicationError;
use crate::schema::DocId;

/// The snapshot format this version writes and reads. A manifest of a newer format is
/// refused, never misread.
pub const FORMAT: u32 = 1;

/// The manifest's name inside a snapshot. Its presence marks the snapshot complete.
pub const MANIFEST: &str = "manifest.json";

/// The store's documents inside a snapshot: NDJSON in the ingestion format, LZ4-framed.
pub const STORE_DUMP: &str = "store.ndjson.lz4";

/// The folder of the index generation's files inside a snapshot.
pub const INDEX_DIR: &str = "index";

/// What a snapshot holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The snapshot format ([`FORMAT`]).
    pub format: u32,
    /// The snapshot's name: its creation time, so that names sort by age.
    pub id: String,
    /// When the snapshot was taken.
    pub created_at: DateTime<Utc>,
    /// The Innohaku version that took it.
    pub innohaku: String,
    /// The analyzer that built the index (`analysis::description`).
    pub analyzer: String,
    /// The index generation's `BUILT_WITH`: an index built otherwise is rebuilt on restore.
    pub index_built_with: String,
    /// Documents in the store dump.
    pub documents: u64,
    /// Ids stored but perhaps not yet in the index's last commit: re-applied on restore.
    pub unindexed: Vec<DocId>,
    /// Every file but the manifest, with its size and SHA-256.
    pub files: Vec<FileEntry>,
}

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path inside the snapshot, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

impl Manifest {
    /// Parses a manifest, refusing one of another format with a message that says what to do.
    pub fn parse(bytes: &[u8], source: &str) -> Result<Manifest, ReplicationError> {
        let invalid = |message: String| ReplicationError::InvalidManifest {
            manifest: source.to_owned(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let format = value
            .get("format")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| invalid("no `format`: not an Innohaku snapshot manifest".into()))?;
        if format > u64::from(FORMAT) {
            return Err(ReplicationError::NewerFormat {
                manifest: source.to_owned(),
                format,
            });
        }
        if format != u64::from(FORMAT) {
            return Err(invalid(format!(
                "snapshot format {format} is not one this version reads (format {FORMAT})"
            )));
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        for file in &manifest.files {
            if !is_safe_path(&file.path) {
                return Err(invalid(format!(
                    "file path `{}` leaves the snapshot",
                    file.path
                )));
            }
        }
        Ok(manifest)
    }

    /// Total bytes of the snapshot's files.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// A relative path of plain names: no `..`, no root, nothing empty.
fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

/// The SHA-256 of a local file, lowercase hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_json(format: u32, path: &str) -> String {
        serde_json::json!({
            "format": format, "id": "20260101T000000000Z", "created_at": "2026-01-01T00:00:00Z",
            "innohaku": "0.1.0", "analyzer": "a", "index_built_with": "b", "documents": 1,
            "unindexed": [], "files": [{"path": path, "bytes": 1, "sha256": "00"}]
        })
        .to_string()
    }

    #[test]
    fn a_newer_or_unknown_format_is_refused_with_a_message_and_never_misread() {
        let ok = Manifest::parse(manifest_json(FORMAT, "index/meta.json").as_bytes(), "x");
        assert_eq!(ok.unwrap().files[0].path, "index/meta.json");
        let newer = Manifest::parse(manifest_json(FORMAT + 1, "a").as_bytes(), "x").unwrap_err();
        assert!(
            matches!(newer, ReplicationError::NewerFormat { format, .. } if format == u64::from(FORMAT) + 1)
        );
        assert!(newer.to_string().contains("newer Innohaku"), "{newer}");
        let older = Manifest::parse(manifest_json(0, "a").as_bytes(), "x").unwrap_err();
        assert!(matches!(older, ReplicationError::InvalidManifest { .. }));
        let none = Manifest::parse(b"{\"files\": []}", "x").unwrap_err();
        assert!(
            none.to_string().contains("not an Innohaku snapshot"),
            "{none}"
        );
    }

    #[test]
    fn a_file_path_that_leaves_the_snapshot_is_refused() {
        for path in ["../store", "/etc/passwd", "index//x", "index/../../x", ""] {
            let err = Manifest::parse(manifest_json(FORMAT, path).as_bytes(), "x").unwrap_err();
            assert!(
                err.to_string().contains("leaves the snapshot"),
                "{path}: {err}"
            );
        }
    }

    #[test]
    fn sha256_of_a_file_is_the_known_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
