//! Where this checkout is, for the tests, benches and examples that read its files (the
//! sample corpus, the judged queries, the checked-in contract and schemas). The benches and
//! examples include this file with `#[path]`.

use std::path::PathBuf;

/// This checkout, as cargo names it when it runs us, rather than the one the binary was built
/// in: cargo reuses a build between clones of the same sources in one target directory.
pub fn project_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from)
}
