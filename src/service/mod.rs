//! The service: the store, the current index and the operations the adapters (HTTP, CLI) call.
//! Adapters stay thin; everything they do goes through here.
//!
//! Writes are durable before they are acknowledged: documents are committed to the store (with
//! their ids marked unindexed in the same transaction) and the store is flushed; only then is
//! the index updated and the marks cleared. On start, marked ids are re-applied, so a crash
//! between the two steps loses nothing.

mod jobs;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::index::FacetField;
use crate::index::{Catalog, IndexError, SearchIndex, Throttle};
use crate::ingest::{Item, LineError, read_ndjson};
use crate::recommend::{DocumentRef, Options, Page, Profile, Recommendations, recommend};
use crate::schema::Kind;
use crate::schema::{DocId, Document};
use crate::search::{
    SearchError, SearchRequest, SearchResults, Suggestions, search_shaped, suggest,
};
use crate::store::{Store, StoreError, Upsert};
use crate::telemetry::names;

pub use jobs::{Job, JobState, JobStatus};

/// Memory for the writer that applies live updates.
const LIVE_WRITER_BYTES: usize = 32 * 1024 * 1024;
/// Documents stored per durable write while ingesting a stream: bounds memory.
const BATCH_DOCS: usize = 2_000;
/// How long stored changes may wait for an index commit while a stream is being ingested.
/// Every request still ends with a commit, so its documents are searchable when it returns.
const COMMIT_INTERVAL: Duration = Duration::from_secs(1);

/// Changes handed to the live writer and not committed yet.
struct Uncommitted {
    ids: Vec<DocId>,
    since: Instant,
}

impl Default for Uncommitted {
    fn default() -> Self {
        Uncommitted {
            ids: Vec::new(),
            since: Instant::now(),
        }
    }
}

/// What a service operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// Reading input failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or stream.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A reindex is already running.
    #[error("a reindex is already running: job {0}")]
    Busy(String),
    /// The job was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// This server is a read-only replica: writes go to the primary.
    #[error("this server is a read-only replica of {0}; send writes to the primary")]
    ReadOnly(String),
}

impl ServiceError {
    /// Whether the operation failed because the disk is full: freeing space repairs it,
    /// without a restart.
    pub fn is_disk_full(&self) -> bool {
        match self {
            ServiceError::Store(e) => e.is_disk_full(),
            other => {
                let mut source: Option<&(dyn std::error::Error + 'static)> = Some(other);
                while let Some(e) = source {
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(crate::store::is_full)
                    {
                        return true;
                    }
                    source = e.source();
                }
                // tantivy turns some I/O errors into text.
                other.to_string().contains("No space left on device")
            }
        }
    }
}

impl From<tantivy::TantivyError> for ServiceError {
    fn from(e: tantivy::TantivyError) -> Self {
        ServiceError::Index(IndexError::Tantivy(e))
    }
}

/// What the service holds ([`Service::stats`]).
#[derive(Debug, Clone)]
pub struct Stats {
    /// Documents in the serving index, by kind.
    pub documents: Vec<(Kind, u64)>,
    /// The serving index generation's number.
    pub generation: u64,
    /// Bytes of the serving generation on disk.
    pub index_bytes: u64,
    /// Bytes of the store on disk.
    pub store_bytes: u64,
    /// Stored changes wait for the index.
    pub index_behind: bool,
}

/// Bytes of the files under `dir` (0 for what cannot be read).
fn disk_usage(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => disk_usage(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}

/// Where the service keeps its data.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The root data directory.
    pub data_dir: PathBuf,
}

impl Paths {
    /// The sled store.
    pub fn store(&self) -> PathBuf {
        self.data_dir.join("store")
    }
    /// The index catalog.
    pub fn indexes(&self) -> PathBuf {
        self.data_dir.join("indexes")
    }
}

/// What ingesting a batch did, line by line.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct IngestReport {
    /// New documents.
    pub inserted: usize,
    /// Replaced documents.
    pub updated: usize,
    /// Documents identical to what was stored.
    pub unchanged: usize,
    /// Writes ignored because a newer version (later `updated_at`) is stored.
    pub stale: usize,
    /// Rejected lines, each with its line number, field and reason: the first
    /// [`MAX_REPORTED_REJECTIONS`] of them.
    #[schema(value_type = Vec<Object>)]
    pub rejected: Vec<LineError>,
    /// How many lines were rejected in all, listed or not.
    pub rejected_count: usize,
    /// The documents are stored durably, but the index could not be updated (the disk is
    /// full): they become searchable once it can be, at the latest on the next start.
    pub pending_index: bool,
}

/// What a delete did.
#[derive(Debug)]
pub struct Deleted {
    /// The ids that were not stored.
    pub missing: Vec<DocId>,
    /// The deletions are durable, but the index could not be updated (the disk is full): the
    /// documents can still be found until it can be, at the latest on the next start.
    pub pending_index: bool,
}

/// Rejected lines listed in a report; the rest are only counted, so that a stream of bad
/// lines costs neither memory nor a huge response.
pub const MAX_REPORTED_REJECTIONS: usize = 1_000;

impl IngestReport {
    /// Records a rejected line: listed while there is room, counted always.
    pub fn reject(&mut self, error: LineError) {
        self.rejected_count += 1;
        metrics::counter!(names::INGESTED, "outcome" => "rejected").increment(1);
        if self.rejected.len() < MAX_REPORTED_REJECTIONS {
            self.rejected.push(error);
        }
    }
}

/// The running service.
pub struct Service {
    store: Store,
    catalog: Catalog,
    paths: Paths,
    index: RwLock<Arc<SearchIndex>>,
    writer: Mutex<Option<IndexWriter>>,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    /// Stored changes could not reach the index (the disk was full); their ids are marked
    /// unindexed and re-applied before the next write.
    index_behind: AtomicBool,
    /// A restore is replacing the data: not ready for searches.
    restoring: AtomicBool,
    /// Set on a read-only replica: what it follows and serves.
    replica: RwLock<Option<ReplicaState>>,
    /// Opening built the whole index from the store (there was none, it was built otherwise,
    /// or a bulk load had not reached it): a rebuild asked for just after would repeat it.
    built_at_open: bool,
}

/// Whether the service should be sent searches (`/readyz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Serving.
    Ready,
    /// A restore is replacing the data ([`Service::set_restoring`]).
    Restoring,
    /// A replica that has no snapshot in yet, from the location it follows.
    AwaitingSnapshot(String),
}

/// What a read-only replica follows and serves.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicaState {
    /// The snapshot location it follows.
    pub source: String,
    /// The snapshot it serves, once one is in.
    pub snapshot: Option<String>,
    /// When that snapshot was taken: the age of what it serves.
    pub snapshot_created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Documents re-applied to the index at a time (see [`Service::apply`]).
const APPLY_CHUNK: usize = 1024;
/// Above this many changes missing from the index, and more than half the store, a start
/// rebuilds the index instead of applying them one by one.
const REBUILD_ABOVE: usize = 10_000;

impl Service {
    /// Opens the store and the current index; on first start with an empty store, loads the
    /// NDJSON files of `seed_dir` (if given); builds the index when there is none; re-applies
    /// changes a crash kept from the index.
    pub fn open(paths: Paths, seed_dir: Option<&Path>) -> Result<Service, ServiceError> {
        Service::open_with_progress(paths, seed_dir, |_| {})
    }

    /// [`Service::open`], telling `progress` how many documents a build at opening has
    /// indexed so far.
    pub fn open_with_progress(
        paths: Paths,
        seed_dir: Option<&Path>,
        progress: impl FnMut(u64),
    ) -> Result<Service, ServiceError> {
        let load = |store: &Store| {
            let Some(dir) = seed_dir.filter(|_| store.is_empty()) else {
                return Ok(());
            };
            let report = ingest_files(store, &ndjson_files(dir)?)?;
            tracing::info!(inserted = report.inserted, rejected = report.rejected_count, dir = %dir.display(), "loaded seed data");
            for e in &report.rejected {
                tracing::warn!(error = %e, "seed line rejected");
            }
            Ok(())
        };
        Service::open_loading(paths, load, progress)
    }

    /// Loads the NDJSON `files` into the store, tells `loaded` what that did and how many
    /// documents the store now holds, then opens the service, which builds the index from
    /// the store once: whether the index was out of date (an upgrade) or not, the bulk load
    /// leaves it to be rebuilt ([`Service::built_at_open`] is then true). `loaded` hears of
    /// the load even when the build fails after it: the documents are stored.
    pub fn load_and_open(
        paths: Paths,
        files: &[PathBuf],
        loaded: impl FnOnce(&IngestReport, u64),
        progress: impl FnMut(u64),
    ) -> Result<Service, ServiceError> {
        let load = |store: &Store| {
            let report = ingest_files(store, files)?;
            loaded(&report, store.len() as u64);
            Ok(())
        };
        Service::open_loading(paths, load, progress)
    }

    /// Opens the store, lets `load` write to it before anything reads the index, then opens
    /// the index (building it when it is out of date or a bulk load has not reached it).
    fn open_loading(
        paths: Paths,
        load: impl FnOnce(&Store) -> Result<(), ServiceError>,
        mut progress: impl FnMut(u64),
    ) -> Result<Service, ServiceError> {
        std::fs::create_dir_all(&paths.data_dir).map_err(|source| ServiceError::Io {
            path: paths.data_dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&paths.store())?;
        let catalog = Catalog::new(paths.indexes());
        load(&store)?;
        catalog.remove_stale().map_err(IndexError::from)?;
        let (index, built) = match SearchIndex::open_current(&catalog, &paths.indexes()) {
            Ok(index) => {
                index.warm()?;
                (index, false)
            }
            Err(e @ (IndexError::Missing(_) | IndexError::SchemaChanged(_))) => {
                tracing::info!(documents = store.len(), reason = %e, "building the index from the store");
                let index = SearchIndex::build(&catalog, store.iter(), &mut progress)?;
                store.mark_all_indexed()?;
                store.clear_rebuild_pending()?;
                (index, true)
            }
            Err(e) => return Err(e.into()),
        };
        let mut service = Service {
            store,
            catalog,
            paths,
            index: RwLock::new(Arc::new(index)),
            writer: Mutex::new(None),
            jobs: Mutex::new(HashMap::new()),
            index_behind: AtomicBool::new(false),
            restoring: AtomicBool::new(false),
            replica: RwLock::new(None),
            built_at_open: built,
        };
        // An index just built from the store holds it, and one a bulk load has not reached
        // is rebuilt by `catch_up` below: checking either against the store would read
        // every stored id for nothing (and call the second different, which it is).
        if service.store.snapshots_set_aside() > 0
            && !service.built_at_open
            && !service.store.rebuild_pending()?
        {
            service.built_at_open |= service.verify_index(&mut progress)?;
        }
        service.built_at_open |= service.catch_up(progress)?;
        service.fail_interrupted_jobs()?;
        Ok(service)
    }

    /// Whether opening built the whole index from the store.
    pub fn built_at_open(&self) -> bool {
        self.built_at_open
    }

    /// Brings the index up to the store at start: rebuilds it after a bulk load it has not
    /// read, or when most of the store never reached it; otherwise re-applies the changes a
    /// crash kept from it. Returns whether it rebuilt.
    fn catch_up(&self, progress: impl FnMut(u64)) -> Result<bool, ServiceError> {
        if self.store.rebuild_pending()? {
            tracing::info!("rebuilding the index: a bulk load has not reached it");
            self.rebuild(None, progress)?;
            return Ok(true);
        }
        let pending = self.store.unindexed()?;
        if pending.len() > REBUILD_ABOVE && pending.len() * 2 > self.store.len() {
            // Most of the store never reached the index (a bulk load stopped before its
            // build): a full build is faster than as many single updates.
            tracing::info!(
                documents = pending.len(),
                "rebuilding the index: most documents had not reached it"
            );
            self.rebuild(None, progress)?;
            return Ok(true);
        }
        if !pending.is_empty() {
            tracing::info!(
                documents = pending.len(),
                "re-applying changes that had not reached the index"
            );
            self.apply(&pending)?;
        }
        Ok(false)
    }

    /// The index currently serving.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.index.read().expect("index lock poisoned").clone()
    }

    /// Whether the service should be sent searches.
    pub fn readiness(&self) -> Readiness {
        if self.restoring.load(Ordering::SeqCst) {
            return Readiness::Restoring;
        }
        match self.replica() {
            Some(replica) if replica.snapshot.is_none() => {
                Readiness::AwaitingSnapshot(replica.source)
            }
            _ => Readiness::Ready,
        }
    }

    /// Marks a restore as running (`true`) or ended: `/readyz` answers 503 meanwhile, so a
    /// load balancer sends searches elsewhere.
    pub fn set_restoring(&self, restoring: bool) {
        self.restoring.store(restoring, Ordering::SeqCst);
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where data lives.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Runs a search, timing it by its shape ([`names::SEARCH_DURATION`]).
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, ServiceError> {
        let started = Instant::now();
        let (results, shape) = search_shaped(&self.index(), req)?;
        metrics::histogram!(names::SEARCH_DURATION, "shape" => shape.name())
            .record(started.elapsed().as_secs_f64());
        Ok(results)
    }

    /// What the service holds, for `/metrics`: documents by kind and the sizes on disk.
    pub fn stats(&self) -> Stats {
        let index = self.index();
        let searcher = index.searcher();
        let field = index.fields().facet(FacetField::Kind);
        let documents = Kind::ALL
            .iter()
            .map(|kind| {
                let term = Term::from_field_text(field, kind.id());
                let query =
                    tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
                let n = searcher
                    .search(&query, &tantivy::collector::Count)
                    .unwrap_or_default();
                (*kind, n as u64)
            })
            .collect();
        Stats {
            documents,
            generation: index
                .dir()
                .file_name()
                .and_then(|n| n.to_str()?.parse().ok())
                .unwrap_or_default(),
            index_bytes: disk_usage(index.dir()),
            store_bytes: disk_usage(&self.paths.store()),
            index_behind: self.index_behind.load(Ordering::Relaxed),
        }
    }

    /// Autocomplete suggestions.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Suggestions, ServiceError> {
        Ok(suggest(&self.index(), q, limit)?)
    }

    /// A stored document.
    pub fn get(&self, id: &DocId) -> Result<Option<Document>, ServiceError> {
        Ok(self.store.get(id)?)
    }

    /// Recommendations for a stored document; `None` when the id is unknown.
    pub fn similar(
        &self,
        id: &DocId,
        options: &Options,
    ) -> Result<Option<(DocumentRef, Recommendations)>, ServiceError> {
        let Some(doc) = self.store.get(id)? else {
            return Ok(None);
        };
        let found = recommend(&self.index(), &Profile::of_document(&doc), options)?;
        Ok(Some((DocumentRef::of(&doc), found)))
    }

    /// Recommendations for a page outside Innohaku.
    pub fn similar_to_page(
        &self,
        page: &Page,
        options: &Options,
    ) -> Result<Recommendations, ServiceError> {
        Ok(recommend(&self.index(), &Profile::of_page(page), options)?)
    }

    /// Checks that the index holds exactly the stored documents, and rebuilds it from the
    /// store when it does not (after the store was recovered from an unfinished snapshot).
    fn verify_index(&self, progress: impl FnMut(u64)) -> Result<bool, ServiceError> {
        let ids = self.store.ids()?;
        let index = self.index();
        let searcher = index.searcher();
        let mut missing = 0usize;
        for id in &ids {
            let term = Term::from_field_text(index.fields().id, id.as_str());
            let query =
                tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
            if searcher.search(&query, &tantivy::collector::Count)? != 1 {
                missing += 1;
            }
        }
        let indexed = index.num_docs();
        if missing == 0 && indexed == ids.len() as u64 {
            tracing::info!(
                documents = ids.len(),
                "after the store's recovery, the index holds exactly the stored documents"
            );
            return Ok(false);
        }
        tracing::warn!(
            stored = ids.len(),
            indexed,
            missing,
            "after the store's recovery, the index differs from the store: rebuilding it"
        );
        self.rebuild(None, progress)?;
        Ok(true)
    }

    /// Makes this service a read-only replica of `source`: every write is refused from now.
    pub fn make_replica(&self, source: &str) {
        *self.replica.write().unwrap_or_else(|e| e.into_inner()) = Some(ReplicaState {
            source: source.to_owned(),
            snapshot: None,
            snapshot_created_at: None,
        });
    }

    /// What this replica follows and serves; `None` on a primary.
    pub fn replica(&self) -> Option<ReplicaState> {
        self.replica
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Records the snapshot a replica now serves.
    pub fn set_replica_snapshot(&self, id: &str, created_at: chrono::DateTime<chrono::Utc>) {
        if let Some(state) = self
            .replica
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            state.snapshot = Some(id.to_owned());
            state.snapshot_created_at = Some(created_at);
        }
    }

    /// Refuses writes on a replica.
    fn writable(&self) -> Result<(), ServiceError> {
        match self.replica() {
            Some(r) => Err(ServiceError::ReadOnly(r.source)),
            None => Ok(()),
        }
    }

    /// Replaces the store and the index with a snapshot's, atomically for searches: the
    /// store (a closed store directory, moved into place) under the store's lock, the index
    /// files (moved into a new generation) by the same switch a rebuild makes. An index built
    /// with another schema or analyzer is rebuilt from the new store first. Ids marked
    /// unindexed in the new store are then re-applied. Returns the documents now served.
    pub fn replace(&self, store_dir: &Path, index_files: &Path) -> Result<u64, ServiceError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ServiceError::Io { path, source }
        };
        let mut guard = self.writer();
        *guard = None;
        let generation = self.catalog.create_generation().map_err(IndexError::from)?;
        for entry in std::fs::read_dir(index_files).map_err(io(index_files))? {
            let entry = entry.map_err(io(index_files))?;
            std::fs::rename(entry.path(), generation.join(entry.file_name()))
                .map_err(io(&generation))?;
        }
        // The slow part comes before the switch: the new generation is opened and warmed,
        // then the store and the index are switched one right after the other.
        let opened = SearchIndex::open(&generation).and_then(|index| {
            index.warm()?;
            Ok(index)
        });
        let opened = match opened {
            Ok(index) => Some(index),
            Err(IndexError::SchemaChanged(_)) => None,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&generation);
                return Err(e.into());
            }
        };
        if let Err(e) = self.store.replace_with(store_dir) {
            let _ = std::fs::remove_dir_all(&generation);
            return Err(e.into());
        }
        let index = match opened {
            Some(index) => {
                self.catalog
                    .publish(&generation)
                    .map_err(IndexError::from)?;
                index
            }
            None => {
                tracing::info!(
                    documents = self.store.len(),
                    "the snapshot's index was built with another schema or analyzer: rebuilding it from its store"
                );
                std::fs::remove_dir_all(&generation).map_err(io(&generation))?;
                let index = SearchIndex::build(&self.catalog, self.store.iter(), |_| {})?;
                self.store.mark_all_indexed()?;
                index
            }
        };
        *self.index.write().expect("index lock poisoned") = Arc::new(index);
        drop(guard);
        self.catalog.remove_stale().map_err(IndexError::from)?;
        let pending = self.store.unindexed()?;
        self.apply(&pending)?;
        Ok(self.index().num_docs())
    }

    /// Before a write: reopens a store that failed (once the disk has room again), and
    /// brings the index up to date with changes that could not reach it.
    fn recover(&self) -> Result<(), ServiceError> {
        self.writable()?;
        let reopened = self.store.reopen_if_failed()?;
        if reopened || self.index_behind.swap(false, Ordering::SeqCst) {
            let pending = self.store.unindexed()?;
            tracing::info!(
                documents = pending.len(),
                "re-applying changes that had not reached the index"
            );
            let applied = self.apply(&pending);
            self.indexed(applied)?;
        }
        Ok(())
    }

    /// Passes on an index update's result after the store made the change durable. The
    /// change is acknowledged whatever the index did (a full disk, most likely: tantivy then
    /// reports its writer killed): it stays marked unindexed and is applied before the
    /// next write, or on the next start.
    fn indexed(&self, result: Result<(), ServiceError>) -> Result<bool, ServiceError> {
        match result {
            Ok(()) => Ok(true),
            Err(e) => {
                if e.is_disk_full() {
                    tracing::warn!(error = %e, "the index could not be updated: the disk is full");
                } else {
                    tracing::error!(error = %e, "the index could not be updated");
                }
                self.index_behind.store(true, Ordering::SeqCst);
                Ok(false)
            }
        }
    }

    /// Stores NDJSON documents durably, then makes them searchable. The stream is read line
    /// by line and applied in batches, so memory stays bounded however long it is.
    pub fn ingest(&self, reader: impl BufRead) -> Result<IngestReport, ServiceError> {
        self.recover()?;
        let mut report = IngestReport::default();
        let mut pending = Vec::new();
        let mut uncommitted = Uncommitted::default();
        for item in read_ndjson(reader) {
            match item.map_err(|source| ServiceError::Io {
                path: "request body".into(),
                source,
            })? {
                Item::Document(_, doc) => pending.push(*doc),
                Item::Rejected(e) => report.reject(e),
            }
            if pending.len() >= BATCH_DOCS {
                self.store_and_index(&std::mem::take(&mut pending), &mut report, &mut uncommitted)?;
            }
        }
        self.store_and_index(&pending, &mut report, &mut uncommitted)?;
        let committed = self.commit(&mut uncommitted);
        if !self.indexed(committed)? {
            report.pending_index = true;
        }
        Ok(report)
    }

    /// Stores a batch durably, then hands what changed to the index writer, committing when
    /// the last commit is older than [`COMMIT_INTERVAL`].
    fn store_and_index(
        &self,
        docs: &[Document],
        report: &mut IngestReport,
        uncommitted: &mut Uncommitted,
    ) -> Result<(), ServiceError> {
        let outcomes = self.store.upsert_all(docs)?;
        self.store.flush()?;
        let mut changed = Vec::new();
        for (doc, outcome) in docs.iter().zip(outcomes) {
            count(report, outcome);
            if matches!(outcome, Upsert::Inserted | Upsert::Updated) {
                changed.push(doc);
            }
        }
        if report.pending_index {
            return Ok(()); // The index is behind; these stay marked unindexed.
        }
        // The documents in hand are the stored versions (stale ones were left out), so the
        // index is written from them without reading the store back.
        let written = self.write_index(changed.iter().map(|d| (d.id(), Some(*d))), false);
        uncommitted
            .ids
            .extend(changed.iter().map(|d| d.id().clone()));
        let written = match written {
            Ok(()) if uncommitted.since.elapsed() >= COMMIT_INTERVAL => self.commit(uncommitted),
            other => other,
        };
        if !self.indexed(written)? {
            report.pending_index = true;
            *uncommitted = Uncommitted::default();
        }
        Ok(())
    }

    /// Commits the live writer and clears the unindexed marks of what it held.
    fn commit(&self, uncommitted: &mut Uncommitted) -> Result<(), ServiceError> {
        if !uncommitted.ids.is_empty() {
            self.write_index(std::iter::empty(), true)?;
            self.store.mark_indexed(&uncommitted.ids)?;
        }
        *uncommitted = Uncommitted::default();
        Ok(())
    }

    /// Stores documents all or nothing: if any item was rejected, nothing is stored and the
    /// rejections are returned.
    pub fn ingest_atomic(
        &self,
        items: Vec<Item>,
    ) -> Result<Result<IngestReport, Vec<LineError>>, ServiceError> {
        self.recover()?;
        let mut docs = Vec::new();
        let mut rejected = Vec::new();
        for item in items {
            match item {
                Item::Document(_, doc) => docs.push(*doc),
                Item::Rejected(e) => rejected.push(e),
            }
        }
        if !rejected.is_empty() {
            return Ok(Err(rejected));
        }
        let outcomes = self.store.upsert_all(&docs)?;
        self.store.flush()?;
        let mut report = IngestReport::default();
        let mut changed = Vec::new();
        for (doc, outcome) in docs.iter().zip(outcomes) {
            count(&mut report, outcome);
            if matches!(outcome, Upsert::Inserted | Upsert::Updated) {
                changed.push(doc.id().clone());
            }
        }
        let applied = self.apply(&changed);
        report.pending_index = !self.indexed(applied)?;
        Ok(Ok(report))
    }

    /// Deletes documents durably, then from the index.
    pub fn delete(&self, ids: &[DocId]) -> Result<Deleted, ServiceError> {
        self.recover()?;
        let mut missing = Vec::new();
        let mut deleted = Vec::new();
        for id in ids {
            if self.store.delete(id)? {
                deleted.push(id.clone());
            } else {
                missing.push(id.clone());
            }
        }
        self.store.flush()?;
        metrics::counter!(names::DELETED).increment(deleted.len() as u64);
        let applied = self.apply(&deleted);
        let pending_index = !self.indexed(applied)?;
        Ok(Deleted {
            missing,
            pending_index,
        })
    }

    /// Brings the live index up to date with the store for these ids, commits, and clears
    /// their unindexed marks.
    fn apply(&self, ids: &[DocId]) -> Result<(), ServiceError> {
        if ids.is_empty() {
            return Ok(());
        }
        // A chunk at a time: a bulk load stopped before its index was built leaves every
        // document marked, and a million documents read at once held gigabytes.
        let chunks = ids.len().div_ceil(APPLY_CHUNK);
        for (i, chunk) in ids.chunks(APPLY_CHUNK).enumerate() {
            let stored = chunk
                .iter()
                .map(|id| Ok((id, self.store.get(id)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let last = i + 1 == chunks;
            self.write_index(stored.iter().map(|(id, doc)| (*id, doc.as_ref())), last)?;
        }
        self.store.mark_indexed(ids)?;
        Ok(())
    }

    /// Writes changes (a document as stored now, or `None` for a deletion) to the live index
    /// writer, and with `commit` commits them and makes them searchable.
    fn write_index<'a>(
        &self,
        changes: impl Iterator<Item = (&'a DocId, Option<&'a Document>)>,
        commit: bool,
    ) -> Result<(), ServiceError> {
        // Take the writer before reading which index is current: a rebuild holds the writer
        // while it swaps, so changes always land in the index that serves.
        let mut guard = self.writer();
        let index = self.index();
        let writer = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(
                index
                    .tantivy()
                    .writer_with_num_threads::<TantivyDocument>(1, LIVE_WRITER_BYTES)?,
            ),
        };
        let fields = index.fields();
        let mut throttle = Throttle::new();
        let write = || -> Result<(), ServiceError> {
            for (id, doc) in changes {
                writer.delete_term(Term::from_field_text(fields.id, id.as_str()));
                if let Some(doc) = doc {
                    writer.add_document(fields.to_tantivy(doc))?;
                    throttle.sent();
                }
            }
            if commit {
                writer.commit()?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            // A writer that failed (a full disk) is not trusted again: the next write makes
            // a new one, and the changes it lost are still marked unindexed in the store.
            *guard = None;
            return Err(e);
        }
        if commit {
            drop(guard);
            index.reload()?;
            index.warm()?;
        }
        Ok(())
    }

    /// The live writer's lock. A thread that panicked holding it left a writer in an
    /// unknown state: it is dropped, and the next write makes a new one.
    fn writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        self.writer.lock().unwrap_or_else(|poisoned| {
            self.writer.clear_poison();
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        })
    }

    /// Rebuilds the index from the store into a new generation, verifies it, and switches to
    /// it; the old generation serves every query until then.
    pub fn rebuild(
        &self,
        job: Option<&Job>,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, ServiceError> {
        self.recover()?;
        // Hold the writer for the whole build, so that no live update lands in the old
        // generation after the new one read the store. Searches do not need it.
        let mut guard = self.writer();
        // The live writer is not needed while the build holds the lock, and its memory is:
        // what it holds is committed first, so the serving index misses nothing if the build
        // fails, and a new one is made on the next write.
        if let Some(mut live) = guard.take() {
            live.commit()?;
            drop(live);
            self.index().reload()?;
        }
        let marked = self.store.unindexed()?;
        let bulk_loaded = self.store.rebuild_pending()?;
        let cancelled = || job.is_some_and(Job::cancelled);
        let docs = self.store.iter().map(|d| {
            if cancelled() {
                Err("cancelled".to_owned())
            } else {
                d.map_err(|e| e.to_string())
            }
        });
        let built = SearchIndex::build(&self.catalog, docs, |n| {
            progress(n);
            if let Some(job) = job {
                job.progress(n);
            }
        });
        let built = match built {
            Err(IndexError::Source(e)) if e == "cancelled" => {
                self.catalog.remove_stale().map_err(IndexError::from)?;
                return Err(ServiceError::Cancelled);
            }
            other => other?,
        };
        let n = built.num_docs();
        *self.index.write().expect("index lock poisoned") = Arc::new(built);
        drop(guard);
        self.store.mark_indexed(&marked)?;
        if bulk_loaded {
            self.store.clear_rebuild_pending()?;
        }
        Ok(n)
    }

    /// Starts a full reindex in the background and returns its job.
    pub fn start_reindex(self: &Arc<Self>) -> Result<JobStatus, ServiceError> {
        self.start_job("reindex", |service, job| {
            let started = std::time::Instant::now();
            let n = service.rebuild(Some(job), |_| {})?;
            metrics::histogram!(names::REINDEX_DURATION).record(started.elapsed().as_secs_f64());
            Ok(format!(
                "indexed {n} documents in {:.1} s",
                started.elapsed().as_secs_f64()
            ))
        })
    }

    /// Runs `work` as a background job, one at a time. However the work ends, panicking
    /// included, the job ends with it: a job left `running` would refuse every later one.
    fn start_job(
        self: &Arc<Self>,
        kind: &str,
        work: impl FnOnce(&Service, &Job) -> Result<String, ServiceError> + Send + 'static,
    ) -> Result<JobStatus, ServiceError> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = jobs
            .values()
            .find(|j| j.status().state == JobState::Running)
        {
            return Err(ServiceError::Busy(running.id()));
        }
        // The serving index's count is the expected total: counting the store would read
        // every document once more (sled counts by iterating).
        let job = Job::new(kind, self.index().num_docs());
        jobs.insert(job.id(), job.clone());
        drop(jobs);
        self.record(&job)?;
        let status = job.status();
        let service = self.clone();
        std::thread::spawn(move || {
            let ran =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&service, &job)));
            let (state, message) = match ran {
                Ok(Ok(message)) => (JobState::Succeeded, message),
                Ok(Err(ServiceError::Cancelled)) => (
                    JobState::Cancelled,
                    "cancelled; the previous index kept serving".into(),
                ),
                Ok(Err(e)) => (JobState::Failed, e.to_string()),
                Err(panic) => {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(job = %job.id(), panic = %why, "a job panicked");
                    (
                        JobState::Failed,
                        format!("failed unexpectedly ({why}); the previous index kept serving"),
                    )
                }
            };
            tracing::info!(job = %job.id(), ?state, %message, "job ended");
            let result = match state {
                JobState::Succeeded => "succeeded",
                JobState::Cancelled => "cancelled",
                _ => "failed",
            };
            if job.status().kind == "reindex" {
                metrics::counter!(names::REINDEXES, "result" => result).increment(1);
            }
            job.finish(state, Some(message));
            if let Err(e) = service.record(&job) {
                tracing::error!(error = %e, "recording the job failed");
            }
        });
        Ok(status)
    }

    /// A job's status: live if it runs in this process, else as recorded.
    pub fn job(&self, id: &str) -> Result<Option<JobStatus>, ServiceError> {
        if let Some(job) = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Ok(Some(job.status()));
        }
        Ok(self.recorded_jobs()?.into_iter().find(|j| j.id == id))
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Result<Vec<JobStatus>, ServiceError> {
        let recorded = self.recorded_jobs()?;
        let live = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<JobStatus> = recorded
            .into_iter()
            .map(|j| live.get(&j.id).map_or(j, |l| l.status()))
            .collect();
        all.sort_by_key(|j| j.started_at);
        Ok(all)
    }

    /// Asks a running job to stop; `None` when there is no such job.
    pub fn cancel_job(&self, id: &str) -> Result<Option<JobStatus>, ServiceError> {
        if let Some(job) = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            job.cancel();
            return Ok(Some(job.status()));
        }
        self.job(id)
    }

    fn record(&self, job: &Job) -> Result<(), ServiceError> {
        let status = job.status();
        self.store.put_job(
            &status.id,
            &serde_json::to_value(&status).expect("a status serializes"),
        )?;
        Ok(())
    }

    fn recorded_jobs(&self) -> Result<Vec<JobStatus>, ServiceError> {
        Ok(self
            .store
            .jobs()?
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect())
    }

    /// Jobs recorded as running belonged to a process that is gone: they failed, and the
    /// generation they were building was removed on start.
    fn fail_interrupted_jobs(&self) -> Result<(), ServiceError> {
        for mut job in self.recorded_jobs()? {
            if job.state == JobState::Running {
                job.state = JobState::Failed;
                job.message =
                    Some("interrupted: the server stopped while the job ran; the previous index kept serving".into());
                self.store.put_job(
                    &job.id.clone(),
                    &serde_json::to_value(&job).expect("a status serializes"),
                )?;
            }
        }
        Ok(())
    }
}

/// Stores one NDJSON item, counting what happened; returns the id if the document changed.
fn record(
    store: &Store,
    item: Item,
    report: &mut IngestReport,
) -> Result<Option<DocId>, StoreError> {
    match item {
        Item::Rejected(e) => report.reject(e),
        Item::Document(_, doc) => {
            let outcome = store.upsert(&doc)?;
            count(report, outcome);
            if matches!(outcome, Upsert::Inserted | Upsert::Updated) {
                return Ok(Some(doc.common.id));
            }
        }
    }
    Ok(None)
}

fn count(report: &mut IngestReport, outcome: Upsert) {
    let (field, name) = match outcome {
        Upsert::Inserted => (&mut report.inserted, "inserted"),
        Upsert::Updated => (&mut report.updated, "updated"),
        Upsert::Unchanged => (&mut report.unchanged, "unchanged"),
        Upsert::Stale => (&mut report.stale, "stale"),
    };
    *field += 1;
    metrics::counter!(names::INGESTED, "outcome" => name).increment(1);
}

/// Loads NDJSON files into a store (no index involved); durable when it returns. A bulk
/// load: the store records that the index must be rebuilt ([`Store::begin_bulk_load`]) until
/// a rebuild has read it, which the caller starts next (or the next start does).
pub fn ingest_files(store: &Store, files: &[PathBuf]) -> Result<IngestReport, ServiceError> {
    /// Ends the bulk load however the loading ends.
    struct Bulk<'a>(&'a Store);
    impl Drop for Bulk<'_> {
        fn drop(&mut self) {
            self.0.end_bulk_load();
        }
    }
    store.begin_bulk_load()?;
    let _bulk = Bulk(store);
    let mut report = IngestReport::default();
    for path in files {
        let io = |source| ServiceError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        for item in read_ndjson(BufReader::new(file)) {
            let item = match item.map_err(io)? {
                Item::Rejected(mut e) => {
                    e.message = format!("{}: {}", path.display(), e.message);
                    Item::Rejected(e)
                }
                other => other,
            };
            record(store, item, &mut report)?;
        }
    }
    store.flush()?;
    Ok(report)
}

/// The `*.ndjson` files of a directory, sorted by name.
pub fn ndjson_files(dir: &Path) -> Result<Vec<PathBuf>, ServiceError> {
    let io = |source| ServiceError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for_end(service: &Service, id: &str) -> JobStatus {
        for _ in 0..500 {
            let status = service.job(id).unwrap().unwrap();
            if status.state != JobState::Running {
                return status;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("job {id} never ended");
    }

    #[test]
    fn a_bulk_load_stopped_before_its_rebuild_is_indexed_on_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let paths = || Paths {
            data_dir: dir.path().to_owned(),
        };
        drop(Service::open(paths(), None).unwrap());
        let file = dir.path().join("load.ndjson");
        let line = |id: &str| {
            format!(
                r#"{{"kind":"network","id":"{id}","title":"Verkosto {id}","summary":"s","language":"fi","created_at":"2024-01-01","updated_at":"2024-01-01","description":"d"}}"#
            )
        };
        std::fs::write(&file, format!("{}\n{}\n", line("yksi"), line("kaksi"))).unwrap();
        {
            // `reindex FILE` stopped once stored, before its rebuild.
            let store = Store::open(&paths().store()).unwrap();
            assert_eq!(ingest_files(&store, &[file]).unwrap().inserted, 2);
            assert!(
                store.unindexed().unwrap().is_empty(),
                "no mark per document"
            );
        }
        let service = Service::open(paths(), None).unwrap();
        assert_eq!(service.index().num_docs(), 2);
        assert!(!service.store().rebuild_pending().unwrap());
        assert!(
            service.built_at_open(),
            "a reindex that follows need not build again"
        );
        drop(service);
        assert!(!Service::open(paths(), None).unwrap().built_at_open());
    }

    #[test]
    fn a_panicking_job_ends_failed_and_the_next_reindex_runs() {
        let dir = tempfile::tempdir().unwrap();
        let service = Arc::new(
            Service::open(
                Paths {
                    data_dir: dir.path().to_owned(),
                },
                None,
            )
            .unwrap(),
        );
        let job = service
            .start_job("reindex", |service, _| {
                // As a panic inside the rebuild would: with the writer's lock held.
                let _writer = service.writer();
                panic!("boom")
            })
            .unwrap();
        let ended = wait_for_end(&service, &job.id);
        assert_eq!(ended.state, JobState::Failed, "{ended:?}");
        assert!(ended.message.unwrap().contains("boom"));
        let next = service.start_reindex().expect("not busy");
        assert_eq!(wait_for_end(&service, &next.id).state, JobState::Succeeded);
    }
}
