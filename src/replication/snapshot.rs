//! Taking a snapshot of a serving service, restoring one into a data directory, and the
//! portable NDJSON export.

use std::fs;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::Utc;

use super::location::{Found, Location};
use super::manifest::{FORMAT, INDEX_DIR, Manifest, STORE_DUMP};
use super::{ReplicationError, block_on};
use crate::index::IndexError;
use crate::ingest::{Item, read_ndjson};
use crate::schema::Document;
use crate::service::{Paths, Service};
use crate::store::Store;

/// Tries at linking the serving generation's files before a merge or a rebuild lets them be.
const LINK_ATTEMPTS: usize = 10;

/// Documents stored per batch while a snapshot's store is loaded.
const LOAD_BATCH: usize = 2_000;

/// One snapshot at a time per process: they share the staging folder.
static TAKING: Mutex<()> = Mutex::new(());

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReplicationError + '_ {
    move |source| ReplicationError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Takes a snapshot of a serving service and writes it to `location`; returns its
/// manifest. Reads go on throughout; writes wait while the store's documents are read.
pub fn take(service: &Service, location: &Location) -> Result<Manifest, ReplicationError> {
    let _one = TAKING.lock().unwrap_or_else(|e| e.into_inner());
    let id = Utc::now().format("%Y%m%dT%H%M%S%3fZ").to_string();
    let staging = service.paths().data_dir.join("snapshot-staging");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let taken = (|| -> Result<Manifest, ReplicationError> {
        let (documents, unindexed, built_with) = capture(service, &staging)?;
        let mut manifest = Manifest {
            format: FORMAT,
            id: id.clone(),
            created_at: Utc::now(),
            innohaku: env!("CARGO_PKG_VERSION").to_owned(),
            analyzer: crate::analysis::description().to_owned(),
            index_built_with: built_with,
            documents,
            unindexed,
            files: Vec::new(),
        };
        block_on(async {
            for (path, local) in files_of(&staging)? {
                manifest
                    .files
                    .push(location.upload(&id, &path, &local).await?);
            }
            location.put_manifest(&manifest).await
        })?;
        Ok(manifest)
    })();
    let _ = fs::remove_dir_all(&staging);
    let manifest = taken?;
    tracing::info!(
        snapshot = %manifest.id,
        documents = manifest.documents,
        bytes = manifest.bytes(),
        location = %location,
        "snapshot taken"
    );
    Ok(manifest)
}

/// Writes the store's documents and links the serving index's files into `staging`, with
/// store writes held: the two are one state. Ids marked unindexed are those whose change
/// may not be in the index's last commit (the service's crash invariant); they are
/// re-applied on restore. Returns the documents, those ids and the index's `BUILT_WITH`.
fn capture(
    service: &Service,
    staging: &Path,
) -> Result<(u64, Vec<crate::schema::DocId>, String), ReplicationError> {
    let index_dir = staging.join(INDEX_DIR);
    let store = service.store();
    let paused = store.pause_writes();
    let held = std::time::Instant::now();
    let unindexed = store.unindexed()?;
    let mut attempt = 0;
    loop {
        fs::create_dir_all(&index_dir).map_err(io(&index_dir))?;
        match service.index().link_committed(&index_dir) {
            Ok(_) => break,
            Err(IndexError::Io(e))
                if e.kind() == std::io::ErrorKind::NotFound && attempt < LINK_ATTEMPTS =>
            {
                attempt += 1;
                fs::remove_dir_all(&index_dir).map_err(io(&index_dir))?;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let built_with = fs::read_to_string(index_dir.join("BUILT_WITH")).unwrap_or_default();
    // Under the hold the records are only copied, in the store's own encoding; they are
    // decoded and written out as NDJSON after it, with writes flowing again.
    let records = staging.join("records");
    copy_records(store, &records)?;
    drop(paused);
    let writes_held_ms = held.elapsed().as_millis() as u64;
    let dump = staging.join(STORE_DUMP);
    let documents = write_dump(&records, &dump)?;
    fs::remove_file(&records).map_err(io(&records))?;
    tracing::info!(documents, writes_held_ms, "snapshot captured");
    Ok((documents, unindexed, built_with))
}

/// Copies every stored record to `path`: its key and value, each after its length (four
/// bytes, little endian).
fn copy_records(store: &Store, path: &Path) -> Result<(), ReplicationError> {
    let mut out = BufWriter::new(fs::File::create(path).map_err(io(path))?);
    for record in store.records() {
        let (key, value) = record?;
        for part in [&key, &value] {
            out.write_all(&(part.len() as u32).to_le_bytes())
                .and_then(|()| out.write_all(part))
                .map_err(io(path))?;
        }
    }
    out.flush().map_err(io(path))
}

/// One length-prefixed part of a record file, or `None` at its end.
fn read_part(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// Writes the documents of the records [`copy_records`] wrote as NDJSON (the ingestion
/// format), LZ4-framed, one at a time; returns how many.
fn write_dump(records: &Path, path: &Path) -> Result<u64, ReplicationError> {
    let mut input = BufReader::new(fs::File::open(records).map_err(io(records))?);
    let file = fs::File::create(path).map_err(io(path))?;
    let mut out = lz4_flex::frame::FrameEncoder::new(BufWriter::new(file));
    let mut n = 0;
    while let Some(key) = read_part(&mut input).map_err(io(records))? {
        let value = read_part(&mut input)
            .and_then(|v| v.ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into()))
            .map_err(io(records))?;
        let doc = crate::store::decode_record(&key, &value)?;
        serde_json::to_writer(&mut out, &doc)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(io(path))?;
        n += 1;
    }
    let file = out
        .finish()
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok(n)
}

/// Writes every stored document as one NDJSON line each; returns how many.
fn write_ndjson(store: &Store, out: &mut impl Write) -> std::io::Result<u64> {
    let mut n = 0;
    for doc in store.iter() {
        let doc = doc.map_err(std::io::Error::other)?;
        serde_json::to_writer(&mut *out, &doc)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}

/// The files of a staged snapshot as (path inside the snapshot, local path), sorted.
fn files_of(staging: &Path) -> Result<Vec<(String, PathBuf)>, ReplicationError> {
    let mut files = vec![(STORE_DUMP.to_owned(), staging.join(STORE_DUMP))];
    let index_dir = staging.join(INDEX_DIR);
    for entry in fs::read_dir(&index_dir).map_err(io(&index_dir))? {
        let entry = entry.map_err(io(&index_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        files.push((format!("{INDEX_DIR}/{name}"), entry.path()));
    }
    files.sort();
    Ok(files)
}

/// Writes every stored document of a data directory as NDJSON, the format `reindex` and
/// `POST /v1/documents` read; returns how many.
pub fn export(data_dir: &Path, out: &mut impl Write) -> Result<u64, ReplicationError> {
    let paths = Paths {
        data_dir: data_dir.to_owned(),
    };
    let store = Store::open(&paths.store())?;
    write_ndjson(&store, out).map_err(io(data_dir))
}

/// Downloads every file of a found snapshot into `dir`, resuming what an earlier try left,
/// verifying each against the manifest.
pub(super) async fn download_all(
    location: &Location,
    found: &Found,
    dir: &Path,
    max_rate: Option<u64>,
) -> Result<(), ReplicationError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    for entry in &found.manifest.files {
        location.download(found, entry, dir, max_rate).await?;
    }
    Ok(())
}

/// Loads a downloaded snapshot's store dump into a new store at `store_dir` (which must not
/// exist), marks its in-flight ids unindexed, and checks the count against the manifest.
pub(super) fn load_store(
    manifest: &Manifest,
    files: &Path,
    store_dir: &Path,
) -> Result<(), ReplicationError> {
    let corrupt = |message: String| ReplicationError::Corrupt {
        snapshot: manifest.id.clone(),
        message,
    };
    let dump = files.join(STORE_DUMP);
    let reader = BufReader::new(lz4_flex::frame::FrameDecoder::new(
        fs::File::open(&dump).map_err(io(&dump))?,
    ));
    let store = Store::open(store_dir)?;
    let mut batch: Vec<Document> = Vec::with_capacity(LOAD_BATCH);
    for item in read_ndjson(reader) {
        match item.map_err(|e| corrupt(format!("its store dump does not read: {e}")))? {
            Item::Document(_, doc) => batch.push(*doc),
            Item::Rejected(e) => {
                return Err(corrupt(format!(
                    "its store dump has an invalid document at line {e}"
                )));
            }
        }
        if batch.len() >= LOAD_BATCH {
            store.upsert_all(&std::mem::take(&mut batch))?;
        }
    }
    store.upsert_all(&batch)?;
    store.mark_all_indexed()?;
    store.mark_unindexed(&manifest.unindexed)?;
    store.flush()?;
    let found = store.len() as u64;
    if found != manifest.documents {
        return Err(corrupt(format!(
            "its store dump holds {found} documents, its manifest {}",
            manifest.documents
        )));
    }
    Ok(())
}

/// Moves a downloaded snapshot's index files into `<data>/indexes` as its current generation;
/// returns its directory.
fn place_index(files: &Path, indexes: &Path) -> Result<PathBuf, ReplicationError> {
    let catalog = crate::index::Catalog::new(indexes);
    let generation = catalog.create_generation().map_err(io(indexes))?;
    let source = files.join(INDEX_DIR);
    for entry in fs::read_dir(&source).map_err(io(&source))? {
        let entry = entry.map_err(io(&source))?;
        fs::rename(entry.path(), generation.join(entry.file_name())).map_err(io(&generation))?;
    }
    catalog.publish(&generation).map_err(io(indexes))?;
    Ok(generation)
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreReport {
    /// The snapshot restored.
    pub snapshot: String,
    /// When it was taken.
    pub created_at: chrono::DateTime<Utc>,
    /// Documents in the restored store.
    pub documents: u64,
    /// Documents searchable once the service opened it.
    pub indexed: u64,
    /// Whether the index was rebuilt (the snapshot's was built with another analyzer).
    pub rebuilt: bool,
}

/// Restores the newest complete snapshot at `location` into `data_dir`, verifying every
/// file. A data directory that holds a store is replaced only with `force`, and never while
/// a server holds it. The index is rebuilt when the snapshot's was built otherwise.
pub fn restore(
    location: &Location,
    data_dir: &Path,
    force: bool,
) -> Result<RestoreReport, ReplicationError> {
    let paths = Paths {
        data_dir: data_dir.to_owned(),
    };
    let holds_data = fs::read_dir(data_dir).is_ok_and(|mut entries| entries.next().is_some());
    if holds_data && !force {
        return Err(ReplicationError::Exists(data_dir.display().to_string()));
    }
    if paths.store().exists() {
        // Opening it fails while a server holds it: never replace a store in use.
        drop(Store::open(&paths.store())?);
    }
    let found = block_on(location.newest(&[]))?
        .ok_or_else(|| ReplicationError::NoSnapshot(location.to_string()))?;
    let manifest = found.manifest.clone();
    let parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = data_dir
        .file_name()
        .map_or("data".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.restore-{}", manifest.id));
    let files = staging.join("files");
    block_on(download_all(location, &found, &files, None))?;
    let restored = staging.join("data");
    if restored.exists() {
        fs::remove_dir_all(&restored).map_err(io(&restored))?;
    }
    let restored_paths = Paths {
        data_dir: restored.clone(),
    };
    load_store(&manifest, &files, &restored_paths.store())?;
    let generation = place_index(&files, &restored_paths.indexes())?;
    let rebuilt = fs::read_to_string(generation.join("BUILT_WITH")).unwrap_or_default()
        != crate::index::built_with();
    if data_dir.exists() {
        let replaced = parent.join(format!(".{name}.replaced-{}", manifest.id));
        fs::rename(data_dir, &replaced).map_err(io(data_dir))?;
        fs::rename(&restored, data_dir).map_err(io(data_dir))?;
        fs::remove_dir_all(&replaced).map_err(io(&replaced))?;
    } else {
        fs::rename(&restored, data_dir).map_err(io(data_dir))?;
    }
    let _ = fs::remove_dir_all(&staging);
    // Opening rebuilds an index built otherwise and re-applies the in-flight ids.
    let service = Service::open(paths, None)?;
    Ok(RestoreReport {
        snapshot: manifest.id,
        created_at: manifest.created_at,
        documents: service.store().len() as u64,
        indexed: service.index().num_docs(),
        rebuilt,
    })
}

/// The data of a downloaded snapshot, ready to be swapped in by a replica.
pub(super) fn stage_for_swap(
    manifest: &Manifest,
    files: &Path,
    store_dir: &Path,
) -> Result<PathBuf, ReplicationError> {
    if store_dir.exists() {
        fs::remove_dir_all(store_dir).map_err(io(store_dir))?;
    }
    load_store(manifest, files, store_dir)?;
    Ok(files.join(INDEX_DIR))
}
