//! The two loops of snapshot shipping: a primary publishing snapshots at an interval, and a
//! replica following them.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::location::Location;
use super::snapshot::{download_all, stage_for_swap, take};
use super::{ReplicationError, ReplicationOptions, block_on};
use crate::service::Service;

/// The file in a replica's data directory naming the snapshot it serves, so that a
/// restarted replica serves it again at once (and is ready) instead of waiting for a newer.
const APPLIED_FILE: &str = "REPLICA";

/// Where a replica downloads a snapshot before swapping it in; what a killed replica left
/// there is resumed.
const STAGING_DIR: &str = "replica-staging";

/// The snapshot a replica serves, as recorded in [`APPLIED_FILE`].
#[derive(Debug, Serialize, Deserialize)]
struct Applied {
    id: String,
    created_at: chrono::DateTime<chrono::Utc>,
    source: String,
}

/// Makes `service` a read-only replica of `location` and starts following it on a thread
/// of its own: at every interval the newest complete snapshot, when newer than the one
/// served, is downloaded (resuming what an earlier try left), verified and swapped in. A
/// snapshot that fails verification is never tried again, and the one served stays.
pub fn follow(
    service: Arc<Service>,
    location: Location,
    options: &ReplicationOptions,
) -> std::io::Result<()> {
    service.make_replica(&location.to_string());
    let data_dir = service.paths().data_dir.clone();
    if let Some(applied) = read_applied(&data_dir)
        && applied.source == location.to_string()
    {
        tracing::info!(snapshot = %applied.id, "serving the snapshot followed before the restart");
        service.set_replica_snapshot(&applied.id, applied.created_at);
    }
    let interval = options.follow_interval;
    let max_rate = options.follow_max_rate;
    std::thread::Builder::new()
        .name("innohaku-follow".into())
        .spawn(move || {
            let mut refused: Vec<String> = Vec::new();
            loop {
                match poll(&service, &location, &refused, max_rate) {
                    Ok(_) => {}
                    Err((Some(id), e)) if e.is_bad_snapshot() => {
                        tracing::error!(snapshot = %id, error = %e, "refused a snapshot; the one served stays");
                        refused.push(id);
                    }
                    Err((_, e)) => {
                        tracing::warn!(error = %e, "following snapshots failed; trying again at the next interval");
                    }
                }
                std::thread::sleep(interval);
            }
        })?;
    Ok(())
}

/// One look at the location: swaps in the newest snapshot when it is newer than the one
/// served; returns its id. An error names the snapshot it concerns, when it concerns one.
fn poll(
    service: &Service,
    location: &Location,
    refused: &[String],
    max_rate: Option<u64>,
) -> Result<Option<String>, (Option<String>, ReplicationError)> {
    let found = block_on(location.newest(refused)).map_err(|e| (None, e))?;
    let Some(found) = found else {
        return Ok(None);
    };
    let id = found.manifest.id.clone();
    let served = service.replica().and_then(|r| r.snapshot);
    if served.as_ref().is_some_and(|s| *s >= id) {
        return Ok(None);
    }
    let data_dir = service.paths().data_dir.clone();
    let staging = data_dir.join(STAGING_DIR);
    let swapped = (|| -> Result<(), ReplicationError> {
        clear_other_downloads(&staging, &id)?;
        let files = staging.join(&id).join("files");
        tracing::info!(snapshot = %id, bytes = found.manifest.bytes(), "downloading a snapshot");
        block_on(download_all(location, &found, &files, max_rate))?;
        let index_files =
            stage_for_swap(&found.manifest, &files, &staging.join(&id).join("store"))?;
        let documents = service.replace(&staging.join(&id).join("store"), &index_files)?;
        write_applied(
            &data_dir,
            &Applied {
                id: id.clone(),
                created_at: found.manifest.created_at,
                source: location.to_string(),
            },
        )?;
        service.set_replica_snapshot(&id, found.manifest.created_at);
        tracing::info!(snapshot = %id, documents, "serving a new snapshot");
        Ok(())
    })();
    match swapped {
        Ok(()) => {
            let _ = fs::remove_dir_all(staging.join(&id));
            Ok(Some(id))
        }
        Err(e) => {
            if e.is_bad_snapshot() {
                // A corrupt download is not resumed: the next try of another starts clean.
                let _ = fs::remove_dir_all(staging.join(&id));
            }
            Err((Some(id), e))
        }
    }
}

/// Deletes downloads of snapshots other than `id` (superseded while a replica was down).
fn clear_other_downloads(staging: &Path, id: &str) -> Result<(), ReplicationError> {
    let io = |e| ReplicationError::Io {
        path: staging.display().to_string(),
        source: e,
    };
    fs::create_dir_all(staging).map_err(io)?;
    for entry in fs::read_dir(staging).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_name() != id {
            fs::remove_dir_all(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}

fn read_applied(data_dir: &Path) -> Option<Applied> {
    let text = fs::read_to_string(data_dir.join(APPLIED_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Records the snapshot served, durably: written aside, then renamed into place.
fn write_applied(data_dir: &Path, applied: &Applied) -> Result<(), ReplicationError> {
    let path = data_dir.join(APPLIED_FILE);
    let tmp = data_dir.join(format!("{APPLIED_FILE}.tmp"));
    let io = |e| ReplicationError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let json = serde_json::to_vec(applied).expect("a record serializes");
    fs::write(&tmp, json).map_err(io)?;
    fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}

/// Starts publishing a snapshot of `service` to `location` now and every `interval`, on a
/// thread of its own, when anything changed since the last one; keeps the newest `keep`.
pub fn publish_every(
    service: Arc<Service>,
    location: Location,
    interval: Duration,
    keep: usize,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("innohaku-publish".into())
        .spawn(move || {
            // Every write commits the index, so its version tells whether anything changed.
            let mut last: Option<u64> = None;
            loop {
                let version = service.index().version();
                if last != Some(version) {
                    match take(&service, &location) {
                        Ok(_) => {
                            last = Some(version);
                            if let Err(e) = prune(&location, keep) {
                                tracing::warn!(error = %e, "deleting old snapshots failed");
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "publishing a snapshot failed"),
                    }
                }
                std::thread::sleep(interval);
            }
        })?;
    Ok(())
}

/// Deletes all but the newest `keep` snapshots (at least one is always kept).
pub fn prune(location: &Location, keep: usize) -> Result<(), ReplicationError> {
    block_on(async {
        let ids = location.snapshot_ids().await?;
        let excess = ids.len().saturating_sub(keep.max(1));
        for id in &ids[..excess] {
            location.delete(id).await?;
        }
        Ok(())
    })
}
