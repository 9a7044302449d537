//! A workaround for sled 0.34's unfinished snapshots (spacejam/sled issue 1527).
//!
//! sled writes a snapshot of its page table to `snap.<lsn>.generating`, syncs it and renames
//! it to `snap.<lsn>` (`pagecache/snapshot.rs::write_snapshot`): the rename is the commit,
//! and the older `snap.*` files are deleted only after it. But on start it reads the newest
//! file whose name begins with `snap.` (`config.rs::get_snapshot_files` leaves out only
//! `.in___motion`), a `.generating` one included, and refuses to open when that file is
//! shorter than 12 bytes or fails its CRC-32 (`read_snapshot`): "Read corrupted data at file
//! offset None". A start on a full disk leaves exactly that: a `.generating` file created and
//! never written. Such a file never committed, so the store it belongs to is described by
//! the last renamed snapshot and the log after it, which is what sled reads once the file is
//! out of the way. A `.generating` file that passes the check (complete, but not renamed
//! before a crash) is left for sled, which reads it as it would have.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

/// The folder, beside the store, where unfinished snapshots are set aside.
const SET_ASIDE_DIR: &str = "store-set-aside";

/// Moves every unfinished snapshot that fails sled's own check out of `dir`; returns how many.
pub fn set_aside_unfinished(dir: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut moved = 0;
    for entry in entries {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !(name.starts_with("snap.") && name.ends_with(".generating")) || passes_check(&path)? {
            continue;
        }
        let aside = dir.parent().unwrap_or(dir).join(SET_ASIDE_DIR);
        fs::create_dir_all(&aside)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let target = aside.join(format!("{name}.{stamp}"));
        let bytes = fs::metadata(&path)?.len();
        fs::rename(&path, &target)?;
        tracing::warn!(
            file = %path.display(),
            bytes,
            moved_to = %target.display(),
            "set aside an unfinished sled snapshot that would keep the store from opening; \
             the index is checked against the store"
        );
        moved += 1;
    }
    Ok(moved)
}

/// sled's check of a snapshot file: at least 12 bytes, the last 4 the CRC-32 (little
/// endian) of all but the last 12 (an 8-byte length precedes the checksum).
fn passes_check(path: &Path) -> io::Result<bool> {
    let mut bytes = Vec::new();
    fs::File::open(path)?.read_to_end(&mut bytes)?;
    if bytes.len() <= 12 {
        return Ok(false);
    }
    let (body, tail) = bytes.split_at(bytes.len() - 12);
    let expected = u32::from_le_bytes(tail[8..12].try_into().expect("four bytes"));
    Ok(crc32fast::hash(body) == expected)
}

/// Bytes written to check that the disk has room before the store is reopened: more than
/// sled writes to open (a snapshot and a log segment's header).
const PROBE_BYTES: usize = 4 * 1024 * 1024;

/// Fails with the write's error when `PROBE_BYTES` cannot be written beside the store.
pub fn probe_space(dir: &Path) -> io::Result<()> {
    let probe = dir.parent().unwrap_or(dir).join(".space-probe");
    let written = (|| {
        let mut file = fs::File::create(&probe)?;
        file.write_all(&vec![0u8; PROBE_BYTES])?;
        file.sync_all()
    })();
    let _ = fs::remove_file(&probe);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unfinished_snapshots_that_fail_the_check_are_set_aside() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("store");
        fs::create_dir_all(&dir).unwrap();
        let body = b"a snapshot's page table".to_vec();
        let mut good = body.clone();
        good.extend_from_slice(&(body.len() as u64).to_le_bytes());
        good.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        fs::write(dir.join("snap.00000000000000A0"), &good).unwrap();
        fs::write(dir.join("snap.00000000000000B0.generating"), &good).unwrap();
        fs::write(dir.join("snap.00000000000000C0.generating"), b"").unwrap();
        let mut torn = good.clone();
        torn[3] ^= 1;
        fs::write(dir.join("snap.00000000000000D0.generating"), &torn).unwrap();
        assert_eq!(set_aside_unfinished(&dir).unwrap(), 2);
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["snap.00000000000000A0", "snap.00000000000000B0.generating"]
        );
        assert_eq!(
            fs::read_dir(root.path().join(SET_ASIDE_DIR))
                .unwrap()
                .count(),
            2
        );
        assert_eq!(
            set_aside_unfinished(&root.path().join("absent")).unwrap(),
            0
        );
    }
}
