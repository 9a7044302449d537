//! Builds the Bloom filters of the built-in lexicons' word forms (`src/analysis/bloom.rs`),
//! which the binary carries beside the lexicons: a process reads them instead of streaming
//! every form of the FSTs to build them (about a second for Finnish's 3.5 million forms).

#[path = "src/analysis/bloom.rs"]
#[allow(dead_code)]
mod bloom;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/analysis/bloom.rs");
    for lang in ["fi", "sv"] {
        let path = format!("index/{lang}/lexicon.fst");
        println!("cargo::rerun-if-changed={path}");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        let fst = fst::raw::Fst::new(bytes.as_slice())
            .unwrap_or_else(|e| panic!("{path} is not a valid FST: {e}"));
        let filter = bloom::Bloom::of_fst_keys(&fst).to_bytes(bloom::Bloom::stamp(&bytes));
        let file = out.join(format!("{lang}-forms.bloom"));
        std::fs::write(&file, filter).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
    }
}
