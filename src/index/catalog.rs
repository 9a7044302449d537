//! Index generations on disk and the atomic switch between them.
//!
//! Each full build goes into a fresh directory `generations/<n>`; the file `CURRENT` names the
//! one that serves. A new generation becomes current by writing `CURRENT.tmp`, syncing it and
//! renaming it over `CURRENT`, which is atomic: a crash at any moment leaves either the old or
//! the new generation current, never a half-built one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory holding index generations.
#[derive(Debug, Clone)]
pub struct Catalog {
    root: PathBuf,
}

impl Catalog {
    /// The catalog rooted at `root` (created on demand).
    pub fn new(root: impl Into<PathBuf>) -> Catalog {
        Catalog { root: root.into() }
    }

    /// The directory of the current generation, if one was published.
    pub fn current(&self) -> std::io::Result<Option<PathBuf>> {
        match fs::read_to_string(self.root.join("CURRENT")) {
            Ok(name) => {
                let dir = self.generations().join(name.trim());
                Ok(dir.is_dir().then_some(dir))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates an empty directory for a new generation, numbered after every existing one.
    pub fn create_generation(&self) -> std::io::Result<PathBuf> {
        fs::create_dir_all(self.generations())?;
        let next = self.numbers()?.into_iter().max().map_or(1, |n| n + 1);
        let dir = self.generations().join(next.to_string());
        fs::create_dir(&dir)?;
        Ok(dir)
    }

    /// Makes `dir` (a generation of this catalog) the current one, durably.
    pub fn publish(&self, dir: &Path) -> std::io::Result<()> {
        let name = dir.file_name().expect("a generation directory has a name");
        let tmp = self.root.join("CURRENT.tmp");
        let mut f = fs::File::create(&tmp)?;
        f.write_all(name.as_encoded_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, self.root.join("CURRENT"))?;
        fs::File::open(&self.root)?.sync_all()
    }

    /// Deletes every generation but the current one: leftovers of replaced or unfinished builds.
    pub fn remove_stale(&self) -> std::io::Result<()> {
        let current = self.current()?;
        for n in self.numbers()? {
            let dir = self.generations().join(n.to_string());
            if Some(&dir) != current.as_ref() {
                fs::remove_dir_all(&dir)?;
            }
        }
        Ok(())
    }

    fn generations(&self) -> PathBuf {
        self.root.join("generations")
    }

    fn numbers(&self) -> std::io::Result<Vec<u64>> {
        match fs::read_dir(self.generations()) {
            Ok(entries) => Ok(entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_switches_generations_and_cleanup_keeps_the_current() {
        let root = tempfile::tempdir().unwrap();
        let catalog = Catalog::new(root.path());
        assert_eq!(catalog.current().unwrap(), None);
        let first = catalog.create_generation().unwrap();
        catalog.publish(&first).unwrap();
        let unfinished = catalog.create_generation().unwrap();
        assert_eq!(catalog.current().unwrap(), Some(first.clone()));
        catalog.remove_stale().unwrap();
        assert!(!unfinished.exists());
        let second = catalog.create_generation().unwrap();
        assert_ne!(second, first);
        catalog.publish(&second).unwrap();
        catalog.remove_stale().unwrap();
        assert_eq!(catalog.current().unwrap(), Some(second));
        assert!(!first.exists());
    }
}
