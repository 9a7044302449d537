//! Where snapshots are kept: a directory or an S3-compatible bucket, named by a URL and
//! reached through `object_store`.
//!
//! Layout: `<prefix>/snapshots/<id>/manifest.json` beside the snapshot's files. Names sort by
//! age; a snapshot without its manifest is unfinished (the manifest is written last).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use super::ReplicationError;
use super::manifest::{FileEntry, MANIFEST, Manifest, hex};

/// Files up to this size are uploaded in one request; larger ones in parts of this size
/// (S3 wants parts of at least 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

/// A place snapshots are written to and read from.
#[derive(Clone)]
pub struct Location {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    url: String,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// A complete snapshot found at a location.
#[derive(Debug, Clone)]
pub struct Found {
    base: ObjectPath,
    /// Its manifest.
    pub manifest: Manifest,
}

impl Location {
    /// A location from `file:///dir`, `s3://bucket/prefix`, or a plain directory path
    /// (created if missing). S3's endpoint, region and credentials come from the usual
    /// `AWS_*` environment variables (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP=true` for a
    /// plain-HTTP endpoint such as a local test server).
    pub fn parse(text: &str) -> Result<Location, ReplicationError> {
        let invalid = |message: String| ReplicationError::Location {
            url: text.to_owned(),
            message,
        };
        let url = match url::Url::parse(text) {
            Ok(url) if url.scheme().len() > 1 => Some(url),
            _ => None, // A plain path (a one-letter scheme is a Windows drive).
        };
        match url {
            None => Location::directory(Path::new(text)),
            Some(url) if url.scheme() == "file" => {
                let dir = url
                    .to_file_path()
                    .map_err(|()| invalid("not a local absolute path".into()))?;
                Location::directory(&dir)
            }
            Some(url) if url.scheme() == "s3" => {
                let bucket = url
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| invalid("no bucket: write s3://bucket/prefix".into()))?;
                let store = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| invalid(e.to_string()))?;
                Ok(Location {
                    store: Arc::new(store),
                    prefix: ObjectPath::from(url.path().trim_matches('/')),
                    url: text.to_owned(),
                })
            }
            Some(url) => Err(invalid(format!(
                "unsupported scheme `{}`: use file:// or s3://, or a directory",
                url.scheme()
            ))),
        }
    }

    fn directory(dir: &Path) -> Result<Location, ReplicationError> {
        let io = |e: std::io::Error| ReplicationError::Location {
            url: dir.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let dir = std::fs::canonicalize(dir).map_err(io)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(&dir).map_err(|e| {
            ReplicationError::Location {
                url: dir.display().to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(Location {
            store: Arc::new(store),
            prefix: ObjectPath::default(),
            url: format!("file://{}", dir.display()),
        })
    }

    fn snapshots_dir(&self) -> ObjectPath {
        self.prefix.clone().join("snapshots")
    }

    fn failed(&self, e: object_store::Error) -> ReplicationError {
        ReplicationError::Storage {
            url: self.url.clone(),
            message: e.to_string(),
        }
    }

    /// The names of the snapshots here, finished or not, oldest first.
    pub async fn snapshot_ids(&self) -> Result<Vec<String>, ReplicationError> {
        let listed = self
            .store
            .list_with_delimiter(Some(&self.snapshots_dir()))
            .await
            .map_err(|e| self.failed(e))?;
        let mut ids: Vec<String> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The manifest at `base`, or `None` when there is none (an unfinished snapshot).
    async fn manifest_at(&self, base: &ObjectPath) -> Result<Option<Manifest>, ReplicationError> {
        let path = base.clone().join(MANIFEST);
        match self.store.get(&path).await {
            Ok(got) => {
                let bytes = got.bytes().await.map_err(|e| self.failed(e))?;
                let source = format!("{}/{path}", self.url);
                Ok(Some(Manifest::parse(&bytes, &source)?))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// The snapshot named `id`, if it is complete.
    pub async fn snapshot(&self, id: &str) -> Result<Option<Found>, ReplicationError> {
        let base = self.snapshots_dir().join(id);
        Ok(self
            .manifest_at(&base)
            .await?
            .map(|manifest| Found { base, manifest }))
    }

    /// The newest complete snapshot not in `skip`; also the location itself when it is one
    /// snapshot (a URL that names a snapshot's own folder).
    pub async fn newest(&self, skip: &[String]) -> Result<Option<Found>, ReplicationError> {
        if let Some(manifest) = self.manifest_at(&self.prefix).await? {
            return Ok(Some(Found {
                base: self.prefix.clone(),
                manifest,
            }));
        }
        for id in self.snapshot_ids().await?.iter().rev() {
            if skip.contains(id) {
                continue;
            }
            if let Some(found) = self.snapshot(id).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Uploads a local file as `path` of snapshot `id`, hashing what it sends.
    pub async fn upload(
        &self,
        id: &str,
        path: &str,
        local: &Path,
    ) -> Result<FileEntry, ReplicationError> {
        let target = path
            .split('/')
            .fold(self.snapshots_dir().join(id), |p, part| p.join(part));
        let io = |e: std::io::Error| ReplicationError::Io {
            path: local.display().to_string(),
            source: e,
        };
        let mut file = std::fs::File::open(local).map_err(io)?;
        let bytes = file.metadata().map_err(io)?.len();
        let mut hasher = Sha256::new();
        let mut chunk = vec![0u8; PART_BYTES];
        if bytes <= PART_BYTES as u64 {
            let mut whole = Vec::with_capacity(bytes as usize);
            file.read_to_end(&mut whole).map_err(io)?;
            hasher.update(&whole);
            self.store
                .put(&target, PutPayload::from(whole))
                .await
                .map_err(|e| self.failed(e))?;
        } else {
            let upload = self
                .store
                .put_multipart(&target)
                .await
                .map_err(|e| self.failed(e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            loop {
                let n = read_full(&mut file, &mut chunk).map_err(io)?;
                if n == 0 {
                    break;
                }
                hasher.update(&chunk[..n]);
                writer
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| self.failed(e))?;
                writer.write(&chunk[..n]);
            }
            writer.finish().await.map_err(|e| self.failed(e))?;
        }
        Ok(FileEntry {
            path: path.to_owned(),
            bytes,
            sha256: hex(&hasher.finalize()),
        })
    }

    /// Writes snapshot `id`'s manifest: the last write, which makes the snapshot complete.
    pub async fn put_manifest(&self, manifest: &Manifest) -> Result<(), ReplicationError> {
        let path = self
            .snapshots_dir()
            .join(manifest.id.as_str())
            .join(MANIFEST);
        let json = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
        self.store
            .put(&path, PutPayload::from(json))
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Deletes snapshot `id`: the manifest first, so that nobody starts on it meanwhile.
    pub async fn delete(&self, id: &str) -> Result<(), ReplicationError> {
        let base = self.snapshots_dir().join(id);
        match self.store.delete(&base.clone().join(MANIFEST)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(self.failed(e)),
        }
        let mut files = self.store.list(Some(&base));
        while let Some(meta) = files.next().await {
            let meta = meta.map_err(|e| self.failed(e))?;
            match self.store.delete(&meta.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.failed(e)),
            }
        }
        Ok(())
    }

    /// Downloads one file of a found snapshot into `dir` (at its path), resuming a partial
    /// download left in `<file>.part`, and verifies its checksum. A file already there whole
    /// is kept; one that fails its checksum is deleted, so that the next try starts clean.
    /// `max_rate` bounds the bytes per second.
    pub async fn download(
        &self,
        found: &Found,
        entry: &FileEntry,
        dir: &Path,
        max_rate: Option<u64>,
    ) -> Result<(), ReplicationError> {
        let dest = dir.join(entry.path.replace('/', std::path::MAIN_SEPARATOR_STR));
        let io = |e: std::io::Error| ReplicationError::Io {
            path: dest.display().to_string(),
            source: e,
        };
        if dest.is_file() {
            if super::manifest::sha256_file(&dest).map_err(io)? == entry.sha256 {
                return Ok(());
            }
            std::fs::remove_file(&dest).map_err(io)?;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let part = part_path(&dest);
        let mut have = std::fs::metadata(&part).map_or(0, |m| m.len());
        if have > entry.bytes {
            std::fs::remove_file(&part).map_err(io)?;
            have = 0;
        }
        if have < entry.bytes {
            if have > 0 {
                tracing::info!(file = %entry.path, from = have, of = entry.bytes, "resuming a download");
            }
            let source = entry
                .path
                .split('/')
                .fold(found.base.clone(), |p, part| p.join(part));
            let options = GetOptions {
                range: (have > 0).then_some(GetRange::Offset(have)),
                ..GetOptions::default()
            };
            let got = self
                .store
                .get_opts(&source, options)
                .await
                .map_err(|e| self.failed(e))?;
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&part)
                .map_err(io)?;
            let mut stream = got.into_stream();
            let started = Instant::now();
            let mut received = 0u64;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.failed(e))?;
                out.write_all(&chunk).map_err(io)?;
                received += chunk.len() as u64;
                if let Some(rate) = max_rate.filter(|r| *r > 0) {
                    let due = Duration::from_secs_f64(received as f64 / rate as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        out.flush().map_err(io)?;
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            out.sync_all().map_err(io)?;
        }
        let sha = super::manifest::sha256_file(&part).map_err(io)?;
        if sha != entry.sha256 {
            let _ = std::fs::remove_file(&part);
            return Err(ReplicationError::Checksum {
                snapshot: found.manifest.id.clone(),
                file: entry.path.clone(),
            });
        }
        std::fs::rename(&part, &dest).map_err(io)?;
        Ok(())
    }
}

fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    name.push(".part");
    dest.with_file_name(name)
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
