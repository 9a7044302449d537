//! An index directory read without mapping its files: what a new generation's segments are
//! merged through.
//!
//! A merge reads each segment it merges once, front to back. Through mapped files (Tantivy's
//! `MmapDirectory`) every page it reads stays in the process's resident memory until the
//! merge ends: merging a million documents' segments into two held 3 GB. Read here, a file's
//! small reads (a term's postings, its positions) are served from a window of the file read
//! ahead, and a large one (a segment's whole document store, which a merge copies as it is)
//! is read into memory of its own, freed when the copy is done. What stays resident is what
//! the merge holds at once; the pages read stay in the page cache, for the kernel to keep or
//! reclaim. Everything else (writing, deleting, locking) is the mapped directory's.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::{fmt, io};

use tantivy::HasLen;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// How much of a file a small read reads ahead: a merge reads each file in order, so the
/// next reads are in the window.
const WINDOW_BYTES: usize = 1 << 20;

/// The directory at `root`, read without mapping.
#[derive(Clone, Debug)]
pub struct UnmappedDirectory {
    root: PathBuf,
    mapped: MmapDirectory,
}

impl UnmappedDirectory {
    /// Opens the directory at `root`.
    pub fn open(root: &Path) -> Result<UnmappedDirectory, OpenDirectoryError> {
        Ok(UnmappedDirectory {
            root: root.to_owned(),
            mapped: MmapDirectory::open(root)?,
        })
    }
}

impl Directory for UnmappedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let file = File::open(self.root.join(path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_owned()),
            _ => OpenReadError::wrap_io_error(e, path.to_owned()),
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_owned()))?
            .len() as usize;
        Ok(Arc::new(ReadAhead {
            file,
            len,
            window: Mutex::new(None),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(callback)
    }
}

/// A file read with `pread`, a window of it kept for the reads that follow.
struct ReadAhead {
    file: File,
    len: usize,
    /// Where the window starts in the file, and its bytes.
    window: Mutex<Option<(usize, OwnedBytes)>>,
}

impl fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadAhead").field("len", &self.len).finish()
    }
}

impl HasLen for ReadAhead {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAhead {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bytes {range:?} of a file of {}", self.len),
            ));
        }
        // A read larger than the window is its own: the window stays for the small ones.
        if range.len() > WINDOW_BYTES {
            return self.read(range);
        }
        let mut window = self.window.lock().expect("read-ahead window lock poisoned");
        if let Some((start, bytes)) = &*window
            && range.start >= *start
            && range.end <= start + bytes.len()
        {
            return Ok(bytes.slice(range.start - start..range.end - start));
        }
        let ahead = self.read(range.start..(range.start + WINDOW_BYTES).min(self.len))?;
        let bytes = ahead.slice(0..range.len());
        *window = Some((range.start, ahead));
        Ok(bytes)
    }
}

impl ReadAhead {
    fn read(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let mut bytes = vec![0; range.len()];
        self.file.read_exact_at(&mut bytes, range.start as u64)?;
        Ok(OwnedBytes::new(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_merged_through_it_hold_what_they_held() {
        use tantivy::collector::Count;
        use tantivy::query::{PhraseQuery, TermQuery};
        use tantivy::schema::{IndexRecordOption, STORED, Schema, TEXT, Value};
        use tantivy::{Index, IndexWriter, TantivyDocument, Term};

        let dir = tempfile::tempdir().expect("temporary directory");
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT | STORED);
        let index = Index::create_in_dir(dir.path(), schema.build()).expect("created");
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Three segments, postings long enough for several blocks and windows.
        for segment in 0..3 {
            for i in 0..20_000u32 {
                let text = match i % 3 {
                    0 => format!("kotihoito tukee ikääntyneitä {segment} {i}"),
                    _ => format!("omaishoito tukee perheitä {i}"),
                };
                writer
                    .add_document(tantivy::doc!(body => text))
                    .expect("added");
            }
            writer.commit().expect("committed");
        }
        writer.wait_merging_threads().expect("writer done");

        let unmapped =
            Index::open(UnmappedDirectory::open(dir.path()).expect("opened")).expect("the index");
        let mut merger: IndexWriter = unmapped
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let segments = unmapped.searchable_segment_ids().expect("segments");
        assert_eq!(segments.len(), 3);
        merger.merge(&segments).wait().expect("merged");
        merger.wait_merging_threads().expect("merger done");

        let merged = Index::open_in_dir(dir.path()).expect("reopened");
        let searcher = merged.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        assert_eq!(searcher.num_docs(), 60_000);
        let term = |text: &str| Term::from_field_text(body, text);
        let count =
            |query: &dyn tantivy::query::Query| searcher.search(query, &Count).expect("counted");
        let tukee = TermQuery::new(term("tukee"), IndexRecordOption::WithFreqs);
        assert_eq!(count(&tukee), 60_000);
        let phrase = PhraseQuery::new(vec![term("kotihoito"), term("tukee"), term("ikääntyneitä")]);
        assert_eq!(count(&phrase), 3 * 6_667);
        let found = searcher
            .search(
                &TermQuery::new(term("19999"), IndexRecordOption::Basic),
                &tantivy::collector::DocSetCollector,
            )
            .expect("found");
        assert_eq!(found.len(), 3, "one in each segment merged");
        let first = *found.iter().next().expect("a document");
        let stored: TantivyDocument = searcher.doc(first).expect("stored");
        assert!(
            stored
                .get_first(body)
                .and_then(|v| v.as_str())
                .is_some_and(|t| t.ends_with("19999"))
        );
    }

    #[test]
    fn reads_what_the_file_holds_across_windows_and_beyond_them() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let data: Vec<u8> = (0..3 * WINDOW_BYTES + 17)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(dir.path().join("f"), &data).expect("written");
        let directory = UnmappedDirectory::open(dir.path()).expect("opened");
        let file = directory.get_file_handle(Path::new("f")).expect("a handle");
        assert_eq!(file.len(), data.len());
        let w = WINDOW_BYTES;
        for range in [
            0..10,
            5..w,         // within the first window
            w - 3..w + 3, // across its end
            w + 3..w + 9, // in the next
            7..2 * w + 1, // larger than a window
            3 * w..data.len(),
            data.len()..data.len(),
        ] {
            let read = file.read_bytes(range.clone()).expect("read");
            assert_eq!(read.as_slice(), &data[range.clone()], "{range:?}");
        }
        assert!(file.read_bytes(0..data.len() + 1).is_err());
        assert!(matches!(
            directory.get_file_handle(Path::new("absent")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
