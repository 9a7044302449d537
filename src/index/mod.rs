//! The Tantivy index: derived from the store, rebuilt into a fresh generation and switched to
//! atomically (see [`Catalog`]).

mod catalog;
mod facets;
mod fields;
mod pipeline;
mod stored;
mod unmapped;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Searcher};

use crate::analysis;
use crate::schema::Document;

pub use catalog::Catalog;
pub use facets::{Bits, FacetCache, FacetTotals, FacetValues, Numbering, SegmentFacets};
pub use fields::{DateField, FacetField, Fields, TextFields, collation_key, days, facet_values};
pub use pipeline::Throttle;
pub use stored::{StoredDocument, StoredError};

/// The file in a generation naming the index format and the analyzer that built it.
const BUILT_WITH_FILE: &str = "BUILT_WITH";
/// Changes whenever what the index stores changes shape (the stored document layout, the
/// fields' record options, what a field holds), so that older generations are rebuilt from
/// the store instead of misread. 3: the folded field holds only the words folding changes,
/// the compound-part field no positions.
const INDEX_FORMAT: u32 = 3;

/// What a generation records of how it was built; one built otherwise is not read. The
/// synonyms of several words are indexed (`analysis::Phrases`): a changed list rebuilds.
pub fn built_with() -> String {
    format!(
        "index format {INDEX_FORMAT}\n{}\nsynonym phrases {:016x}\n",
        analysis::description(),
        analysis::synonym_phrases_fingerprint()
    )
}
/// Stored documents are compressed in blocks of about this size. Showing a hit decompresses
/// its block: Tantivy's 16 KB default holds several documents, and a page of ten hits from
/// across the index decompressed ten of those.
const DOCSTORE_BLOCK_BYTES: usize = 4096;
/// Memory the index writer may use while building, shared by its threads. Each thread
/// writes a segment when its share is full: at 64 MB the peers' 100,000 documents made 12
/// segments, and building them, then merging them, took 3–13 % longer than at 128 MB in four
/// rounds of five (peak RSS the same, 350–365 MB: reached while merging). 256 MB was no
/// faster.
const WRITER_BUDGET_BYTES: usize = 128 * 1024 * 1024;
/// A build merges its segments into one per writer thread, each at least this large, so that
/// a search of a large generation is collected on every CPU, each segment on one, while
/// smaller ones stay one segment: 100,000 documents (290–340 MB) are one, a million
/// (2.9 GB) two on two CPUs. Each further segment costs a search one more term lookup per
/// query word and a facet pass: the million's full search took 1.2 ms at the median in two
/// segments, 2.0 ms in ten. (The merge reads the segments without mapping them, see
/// `unmapped`: mapped, a million merged into two held 3 GB resident.)
const MIN_MERGED_SEGMENT_BYTES: u64 = 384 * 1024 * 1024;
/// Memory the merging writer may use: merges write as they read, so Tantivy's least.
const MERGER_BUDGET_BYTES: usize = 15_000_000;

/// What building or opening the index can fail with.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Tantivy failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be read or written.
    #[error("index directory: {0}")]
    Io(#[from] std::io::Error),
    /// The source of documents failed while building.
    #[error("reading documents to index: {0}")]
    Source(String),
    /// The finished index does not hold what was written to it.
    #[error("new index failed verification: {0}")]
    Verification(String),
    /// No index has been built yet.
    #[error("no index has been built in {0}; run `innohaku reindex` or start `innohaku serve`")]
    Missing(String),
    /// The index on disk was built with another schema (an older version of Innohaku) or
    /// another analyzer (Voikko installed or removed since).
    #[error("the index in {0} was built with another schema or analyzer; it must be rebuilt")]
    SchemaChanged(String),
}

/// Registers the analysis tokenizers and the build's progress counter with an index.
fn register_tokenizers(index: &Index) {
    analysis::register(index.tokenizers());
    index.tokenizers().register(
        pipeline::TOKENIZER,
        tantivy::tokenizer::TextAnalyzer::from(pipeline::Counter),
    );
}

/// One opened index generation, ready to search.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Arc<Fields>,
    facets: FacetCache,
    stored: stored::StoredCache,
    dir: PathBuf,
}

impl SearchIndex {
    /// Opens the index generation in `dir`.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        let index = Index::open_in_dir(dir)?;
        SearchIndex::from_index(index, dir)
    }

    /// Opens the current generation of a catalog.
    pub fn open_current(catalog: &Catalog, root: &Path) -> Result<SearchIndex, IndexError> {
        let dir = catalog
            .current()?
            .ok_or_else(|| IndexError::Missing(root.display().to_string()))?;
        SearchIndex::open(&dir)
    }

    fn from_index(index: Index, dir: &Path) -> Result<SearchIndex, IndexError> {
        let fields = Fields::new();
        // Field handles are positions in the schema: an index written by another version
        // would be read through the wrong fields, so it is refused rather than misread.
        // Terms are only comparable when the same analyzer made them.
        let built = std::fs::read_to_string(dir.join(BUILT_WITH_FILE)).unwrap_or_default();
        if index.schema() != *fields.schema() || built != built_with() {
            return Err(IndexError::SchemaChanged(dir.display().to_string()));
        }
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields: Arc::new(fields),
            facets: FacetCache::default(),
            stored: stored::StoredCache::default(),
            dir: dir.to_owned(),
        })
    }

    /// Builds a new generation from `docs`, verifies it and makes it current.
    /// `progress` is called with the number of documents written so far.
    pub fn build<E: std::fmt::Display>(
        catalog: &Catalog,
        docs: impl Iterator<Item = Result<Document, E>>,
        mut progress: impl FnMut(u64),
    ) -> Result<SearchIndex, IndexError> {
        let dir = catalog.create_generation()?;
        std::fs::write(dir.join(BUILT_WITH_FILE), built_with())?;
        let fields = Fields::new();
        let index = Index::builder()
            .schema(fields.schema().clone())
            .settings(IndexSettings {
                docstore_blocksize: DOCSTORE_BLOCK_BYTES,
                ..IndexSettings::default()
            })
            .create_in_dir(&dir)?;
        register_tokenizers(&index);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let mut writer = index
            .writer_with_num_threads::<tantivy::TantivyDocument>(threads, WRITER_BUDGET_BYTES)?;
        // Merged once at the end instead (below): merges on the way would redo the same work.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut written = 0u64;
        let mut throttle = pipeline::Throttle::new();
        for doc in docs {
            let doc = doc.map_err(|e| IndexError::Source(e.to_string()))?;
            writer.add_document(fields.to_tantivy(&doc))?;
            throttle.sent();
            written += 1;
            if written.is_multiple_of(1000) {
                progress(written);
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        // One segment per writer thread and flush would make every query look each term up
        // in every segment; a generation that will mostly be read is merged into few.
        let (groups, bytes) = merge_groups(&index, &dir, threads)?;
        if !groups.is_empty() {
            // Read through mapped files, the segments merged stay resident until the merge
            // ends (see `unmapped`). A merge of fewer bytes than a segment's least merges
            // that way all the same: it holds less than the build before it, and mapped
            // reads cost less (unmapped, 100,000 documents' build took 3-7 % longer).
            let merging = match bytes > MIN_MERGED_SEGMENT_BYTES {
                true => {
                    let directory = unmapped::UnmappedDirectory::open(&dir)
                        .map_err(tantivy::TantivyError::from)?;
                    let unmapped = Index::open(directory)?;
                    register_tokenizers(&unmapped);
                    unmapped
                }
                false => index.clone(),
            };
            let mut merger: IndexWriter =
                merging.writer_with_num_threads(1, MERGER_BUDGET_BYTES)?;
            merger.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            for group in groups {
                merger.merge(&group).wait()?;
            }
            merger.garbage_collect_files().wait()?;
            merger.wait_merging_threads()?;
        }
        progress(written);
        let built = SearchIndex::open(&dir)?;
        built.warm()?;
        let found = built.searcher().num_docs();
        if found != written {
            return Err(IndexError::Verification(format!(
                "wrote {written} documents, found {found}"
            )));
        }
        catalog.publish(&dir)?;
        catalog.remove_stale()?;
        Ok(built)
    }

    /// A searcher over the latest committed state.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Builds what the first search of new segments would otherwise build (their facet sets),
    /// so that it is done by the writer, not by a user's search.
    pub fn warm(&self) -> Result<(), IndexError> {
        self.facet_sets(&self.searcher())?;
        Ok(())
    }

    /// The facet sets of every segment `searcher` searches, by segment ordinal.
    pub fn facet_sets(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentFacets>>> {
        self.facets.for_searcher(&self.fields, searcher)
    }

    /// The values of the segments whose sets are `sets` ([`SearchIndex::facet_sets`]),
    /// numbered together, so that their counts add up by number.
    pub fn facet_numbering(&self, sets: &[Arc<SegmentFacets>]) -> Arc<Numbering> {
        self.facets.numbering(sets)
    }

    /// The stored document at `address` of `searcher`, parsed (kept parsed for the next time).
    pub fn document(
        &self,
        searcher: &Searcher,
        address: tantivy::DocAddress,
    ) -> Result<StoredDocument, StoredError> {
        self.stored.get(&self.fields, searcher, address)
    }

    /// The field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The Tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// The directory this generation lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A number that changes whenever what searches see changes (a commit, a merge, a new
    /// generation), and stays the same across restarts otherwise: the basis of HTTP ETags.
    pub fn version(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        self.dir.hash(&mut hasher);
        for segment in self.searcher().segment_readers() {
            segment.segment_id().uuid_string().hash(&mut hasher);
            segment.num_deleted_docs().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Hard-links the files of this generation's last commit (its `meta.json`, the
    /// segments it names and `BUILT_WITH`) into the empty directory `into`; returns their
    /// names. Segment files never change once written, so the links are that commit's state
    /// for as long as they are kept. A merge may delete a file between the reading of
    /// `meta.json` and its link: that is `NotFound`, and the caller tries again.
    pub fn link_committed(&self, into: &Path) -> Result<Vec<String>, IndexError> {
        let meta = std::fs::read(self.dir.join("meta.json"))?;
        let parsed: serde_json::Value = serde_json::from_slice(&meta)
            .map_err(|e| IndexError::Verification(format!("meta.json: {e}")))?;
        let segments: Vec<String> = parsed["segments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["segment_id"].as_str())
            .map(|id| format!("{}.", id.replace('-', "")))
            .collect();
        let mut names = vec!["meta.json".to_owned(), BUILT_WITH_FILE.to_owned()];
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if segments
                .iter()
                .any(|prefix| name.starts_with(prefix.as_str()))
            {
                names.push(name);
            }
        }
        std::fs::write(into.join("meta.json"), &meta)?;
        for name in &names[1..] {
            std::fs::hard_link(self.dir.join(name), into.join(name))?;
        }
        names.sort();
        Ok(names)
    }

    /// The number of documents searchable now.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }
}

impl SearchIndex {
    /// Makes the latest commit visible to new searchers now.
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }
}

/// Segments of `sizes` bytes, in order, in as many groups of neighbours as they fill at
/// [`MIN_MERGED_SEGMENT_BYTES`] each, `threads` at most, the groups' bytes about equal: each
/// segment goes to the group its middle byte falls in.
fn grouped(sizes: &[u64], threads: usize) -> Vec<Vec<usize>> {
    let total: u64 = sizes.iter().sum();
    let groups = (total / MIN_MERGED_SEGMENT_BYTES).clamp(1, threads.max(1) as u64) as usize;
    let mut out = vec![Vec::new(); groups];
    let mut before = 0u64;
    for (i, &bytes) in sizes.iter().enumerate() {
        let middle = u128::from(before + bytes / 2);
        let group = middle * groups as u128 / u128::from(total.max(1));
        out[(group as usize).min(groups - 1)].push(i);
        before += bytes;
    }
    out
}

/// The new generation's segments grouped to be merged ([`grouped`]), and the bytes of the
/// segments merged; groups of one segment are left as they are.
fn merge_groups(
    index: &Index,
    dir: &Path,
    threads: usize,
) -> Result<(Vec<Vec<tantivy::index::SegmentId>>, u64), IndexError> {
    // A segment's files are named `<segment id>.<component>`.
    let mut bytes_by_segment = std::collections::HashMap::<String, u64>::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some((segment, _)) = entry.file_name().to_string_lossy().split_once('.') {
            *bytes_by_segment.entry(segment.to_owned()).or_default() += entry.metadata()?.len();
        }
    }
    let metas = index.searchable_segment_metas()?;
    let sizes: Vec<u64> = metas
        .iter()
        .map(|meta| {
            bytes_by_segment
                .get(&meta.id().uuid_string())
                .copied()
                .unwrap_or(0)
        })
        .collect();
    let groups: Vec<Vec<usize>> = grouped(&sizes, threads)
        .into_iter()
        .filter(|group| group.len() > 1)
        .collect();
    let bytes = groups.iter().flatten().map(|&i| sizes[i]).sum();
    let ids = groups
        .into_iter()
        .map(|group| group.into_iter().map(|i| metas[i].id()).collect())
        .collect();
    Ok((ids, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_generation_is_merged_into_one_segment_per_thread_a_small_one_into_one() {
        const MB: u64 = 1024 * 1024;
        // A million documents: ten segments of about 290 MB, the last smaller.
        let mut million = vec![290 * MB; 9];
        million.push(190 * MB);
        assert_eq!(
            grouped(&million, 2),
            [vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]
        );
        assert_eq!(grouped(&million, 1), [(0..10).collect::<Vec<_>>()]);
        assert_eq!(grouped(&million, 4).len(), 4);
        // 100,000 documents: one segment, however many threads.
        assert_eq!(grouped(&[150 * MB, 140 * MB], 4), [vec![0, 1]]);
        // Just over two minimal segments' worth, on four threads: two.
        assert_eq!(
            grouped(&[300 * MB, 300 * MB, 200 * MB], 4),
            [vec![0], vec![1, 2]]
        );
        assert_eq!(grouped(&[], 2), [Vec::<usize>::new()]);
    }
}
