//! Backups and read replicas by snapshot shipping, not consensus.
//!
//! A primary writes consistent snapshots (the store's documents and the serving index
//! generation's files, with a checksum manifest written last) to a directory or an
//! S3-compatible bucket ([`Location`]). `innohaku restore` rebuilds a data directory from
//! one; a replica (`serve --follow`) polls the location, downloads the newest complete
//! snapshot resumably, verifies it and swaps it in ([`follow`]). See `ARCHITECTURE.md` for
//! the trade-off and `docs/operations.md` for how to run it.

mod follow;
mod location;
mod manifest;
mod snapshot;

use std::time::Duration;

pub use follow::{follow, publish_every};
pub use location::{Found, Location};
pub use manifest::{FORMAT, FileEntry, Manifest};
pub use snapshot::{RestoreReport, export, restore, take};

/// What a server does with snapshots: publish them, follow them, or neither. One struct, so
/// that the configuration can hold it whole.
#[derive(Debug, Clone, Default)]
pub struct ReplicationOptions {
    /// Follow this location as a read-only replica.
    pub follow: Option<String>,
    /// How often a replica looks for a newer snapshot.
    pub follow_interval: Duration,
    /// The most bytes per second a replica downloads (`None`: no limit).
    pub follow_max_rate: Option<u64>,
    /// Where the primary publishes snapshots (also the target of `POST /v1/snapshots`).
    pub snapshot_to: Option<String>,
    /// How often the primary publishes one (`None`: only when asked).
    pub snapshot_interval: Option<Duration>,
    /// How many snapshots the primary keeps at its location; older ones are deleted.
    pub snapshot_keep: usize,
}

/// What taking, restoring or following a snapshot can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ReplicationError {
    /// The location's URL is not usable.
    #[error("snapshot location {url}: {message}")]
    Location {
        /// The URL or path.
        url: String,
        /// Why.
        message: String,
    },
    /// Reading or writing the location failed.
    #[error("snapshot location {url}: {message}")]
    Storage {
        /// The location.
        url: String,
        /// What failed.
        message: String,
    },
    /// No complete snapshot is there.
    #[error("no complete snapshot at {0}")]
    NoSnapshot(String),
    /// A manifest does not parse, or is of a format this version does not read.
    #[error("{manifest}: {message}")]
    InvalidManifest {
        /// The manifest's location.
        manifest: String,
        /// Why it is refused.
        message: String,
    },
    /// A manifest of a newer format than this version's.
    #[error(
        "{manifest}: snapshot format {format} is newer than this version reads (format {FORMAT}); restore it with a newer Innohaku"
    )]
    NewerFormat {
        /// The manifest's location.
        manifest: String,
        /// Its format.
        format: u64,
    },
    /// A file's checksum differs from the manifest's: the snapshot is corrupt.
    #[error("snapshot {snapshot} is corrupt: {file} does not match its checksum; it was not used")]
    Checksum {
        /// The snapshot.
        snapshot: String,
        /// The file.
        file: String,
    },
    /// The snapshot's store does not hold what its manifest says.
    #[error("snapshot {snapshot} is corrupt: {message}; it was not used")]
    Corrupt {
        /// The snapshot.
        snapshot: String,
        /// What is wrong.
        message: String,
    },
    /// The data directory already holds data.
    #[error(
        "{0} already holds data; restore into an empty directory, or pass --force to replace it"
    )]
    Exists(String),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The service failed.
    #[error(transparent)]
    Service(#[from] crate::service::ServiceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

impl ReplicationError {
    /// Whether the snapshot itself is bad (as opposed to the location being unreachable):
    /// a replica does not try it again.
    pub fn is_bad_snapshot(&self) -> bool {
        matches!(
            self,
            ReplicationError::Checksum { .. }
                | ReplicationError::Corrupt { .. }
                | ReplicationError::InvalidManifest { .. }
                | ReplicationError::NewerFormat { .. }
        )
    }
}

/// Runs async storage work to its end on a runtime of its own: snapshots are taken and
/// followed on threads of their own, never on the server's reactor or search threads.
fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds")
        .block_on(work)
}
