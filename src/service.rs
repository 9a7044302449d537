//! The service: the store, the current index and the operations the adapters (HTTP, CLI) call.
//! Adapters stay thin; everything they do goes through here.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::index::{Catalog, IndexError, SearchIndex};
use crate::ingest::{Item, LineError, read_ndjson};
use crate::recommend::{Similar, similar};
use crate::schema::{DocId, Document, Kind};
use crate::search::{SearchError, SearchRequest, SearchResults, search};
use crate::store::{Store, StoreError, Upsert};

/// Memory for the writer that applies live updates.
const LIVE_WRITER_BYTES: usize = 48 * 1024 * 1024;

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
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl From<tantivy::TantivyError> for ServiceError {
    fn from(e: tantivy::TantivyError) -> Self {
        ServiceError::Index(IndexError::Tantivy(e))
    }
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
    /// Writes ignored because a newer version is stored.
    pub stale: usize,
    /// Rejected lines, each with its line number, field and reason.
    #[schema(value_type = Vec<Object>)]
    pub rejected: Vec<LineError>,
}

/// The running service.
pub struct Service {
    store: Store,
    catalog: Catalog,
    paths: Paths,
    index: RwLock<Arc<SearchIndex>>,
    writer: Mutex<Option<IndexWriter>>,
}

impl Service {
    /// Opens the store and the current index; on first start with an empty store, loads the
    /// NDJSON files of `seed_dir` (if given); builds the index when there is none.
    pub fn open(paths: Paths, seed_dir: Option<&Path>) -> Result<Service, ServiceError> {
        std::fs::create_dir_all(&paths.data_dir).map_err(|source| ServiceError::Io {
            path: paths.data_dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&paths.store())?;
        let catalog = Catalog::new(paths.indexes());
        if store.is_empty()
            && let Some(dir) = seed_dir
        {
            let report = ingest_files(&store, &ndjson_files(dir)?)?;
            tracing::info!(inserted = report.inserted, rejected = report.rejected.len(), dir = %dir.display(), "loaded sample data");
            for e in &report.rejected {
                tracing::warn!(error = %e, "sample line rejected");
            }
        }
        catalog.remove_stale().map_err(IndexError::from)?;
        let index = match SearchIndex::open_current(&catalog, &paths.indexes()) {
            Ok(index) if index.num_docs() as usize == store.len() => index,
            Ok(_) | Err(IndexError::Missing(_)) => {
                tracing::info!(documents = store.len(), "building the index from the store");
                SearchIndex::build(&catalog, store.iter(), |_| {})?
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Service {
            store,
            catalog,
            paths,
            index: RwLock::new(Arc::new(index)),
            writer: Mutex::new(None),
        })
    }

    /// The index currently serving.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.index.read().expect("index lock poisoned").clone()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where data lives.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, ServiceError> {
        Ok(search(&self.index(), req)?)
    }

    /// Autocomplete suggestions.
    pub fn suggest(
        &self,
        q: &str,
        limit: usize,
    ) -> Result<crate::search::Suggestions, ServiceError> {
        Ok(crate::search::suggest(&self.index(), q, limit)?)
    }

    /// A stored document.
    pub fn get(&self, id: &DocId) -> Result<Option<Document>, ServiceError> {
        Ok(self.store.get(id)?)
    }

    /// Documents similar to a stored one; `None` when the id is unknown.
    pub fn similar(
        &self,
        id: &DocId,
        kinds: &[Kind],
        limit: usize,
    ) -> Result<Option<Vec<Similar>>, ServiceError> {
        let Some(doc) = self.store.get(id)? else {
            return Ok(None);
        };
        Ok(Some(similar(&self.index(), &doc, kinds, limit)?))
    }

    /// Stores NDJSON documents durably, then makes them searchable.
    pub fn ingest(&self, reader: impl BufRead) -> Result<IngestReport, ServiceError> {
        let mut report = IngestReport::default();
        let mut changed = Vec::new();
        for item in read_ndjson(reader) {
            let item = item.map_err(|source| ServiceError::Io {
                path: "request body".into(),
                source,
            })?;
            if let Some(doc) = record(&self.store, item, &mut report)? {
                changed.push(doc);
            }
        }
        self.store.flush()?;
        self.apply(&changed)?;
        Ok(report)
    }

    /// Writes changed documents to the live index and commits.
    fn apply(&self, docs: &[Document]) -> Result<(), ServiceError> {
        if docs.is_empty() {
            return Ok(());
        }
        let index = self.index();
        let mut guard = self.writer.lock().expect("writer lock poisoned");
        let writer = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(
                index
                    .tantivy()
                    .writer_with_num_threads::<TantivyDocument>(1, LIVE_WRITER_BYTES)?,
            ),
        };
        let fields = index.fields();
        for doc in docs {
            writer.delete_term(Term::from_field_text(fields.id, doc.id().as_str()));
            writer.add_document(fields.to_tantivy(doc))?;
        }
        writer.commit()?;
        drop(guard);
        index.reload()?;
        Ok(())
    }

    /// Rebuilds the index from the store into a new generation and switches to it.
    pub fn rebuild(&self, progress: impl FnMut(u64)) -> Result<u64, ServiceError> {
        // Hold the writer lock for the whole build so no live update lands in the old
        // generation after the new one was read from the store.
        let mut guard = self.writer.lock().expect("writer lock poisoned");
        let built = SearchIndex::build(&self.catalog, self.store.iter(), progress)?;
        let n = built.num_docs();
        if let Some(w) = guard.take() {
            drop(w);
        }
        *self.index.write().expect("index lock poisoned") = Arc::new(built);
        Ok(n)
    }
}

/// Stores one NDJSON item, counting what happened; returns the document if it changed.
fn record(
    store: &Store,
    item: Item,
    report: &mut IngestReport,
) -> Result<Option<Document>, StoreError> {
    match item {
        Item::Rejected(e) => report.rejected.push(e),
        Item::Document(_, doc) => match store.upsert(&doc)? {
            Upsert::Inserted => {
                report.inserted += 1;
                return Ok(Some(*doc));
            }
            Upsert::Updated => {
                report.updated += 1;
                return Ok(Some(*doc));
            }
            Upsert::Unchanged => report.unchanged += 1,
            Upsert::Stale => report.stale += 1,
        },
    }
    Ok(None)
}

/// Loads NDJSON files into a store (no index involved); durable when it returns.
pub fn ingest_files(store: &Store, files: &[PathBuf]) -> Result<IngestReport, ServiceError> {
    let mut report = IngestReport::default();
    for path in files {
        let io = |source| ServiceError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        for item in read_ndjson(BufReader::new(file)) {
            let item = item.map_err(io)?;
            let item = match item {
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
