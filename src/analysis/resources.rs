//! Language resources: lemma lexicons, stop words, compound parts and synonyms.
//!
//! The files live in `index/` and are compiled into the binary, so it runs from anywhere. An
//! administrator who edits them either rebuilds, or points `INNOHAKU_RESOURCES` at a directory
//! laid out like `index/`: files found there replace the built-in ones. Index-time resources
//! (lexicons, stop words, compound parts) need a reindex after a change; synonyms do not.

// Fx hashing: these tables are read-only after loading, so the words looked up in them (user
// text among them) cannot degrade them, and every analysed word asks several of them.
use super::bloom::Bloom;
use super::compound::MIN_WORD_CHARS;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use fst::Map;

use crate::schema::Language;

/// The environment variable naming a directory of resource overrides.
pub const RESOURCES_ENV: &str = "INNOHAKU_RESOURCES";

macro_rules! embedded {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!("../../index/", $path)) as &'static [u8],
        )
    };
}

const FI_LEXICON: (&str, &[u8]) = embedded!("fi/lexicon.fst");
const FI_FOLDED: (&str, &[u8]) = embedded!("fi/lexicon-folded.fst");
const FI_LEMMAS: (&str, &[u8]) = embedded!("fi/lemmas.txt");
const SV_LEXICON: (&str, &[u8]) = embedded!("sv/lexicon.fst");
const SV_FOLDED: (&str, &[u8]) = embedded!("sv/lexicon-folded.fst");
const SV_LEMMAS: (&str, &[u8]) = embedded!("sv/lemmas.txt");
const FI_STOP: (&str, &[u8]) = embedded!("fi/stopwords.txt");
const SV_STOP: (&str, &[u8]) = embedded!("sv/stopwords.txt");
const EN_STOP: (&str, &[u8]) = embedded!("en/stopwords.txt");
const FI_PARTS: (&str, &[u8]) = embedded!("fi/compound-parts.tsv");
const SV_PARTS: (&str, &[u8]) = embedded!("sv/compound-parts.tsv");
const FI_EXTRA: (&str, &[u8]) = embedded!("fi/lexicon-extra.tsv");
const SV_EXTRA: (&str, &[u8]) = embedded!("sv/lexicon-extra.tsv");
const SYNONYMS: (&str, &[u8]) = embedded!("synonyms.txt");
/// The Bloom filters of the built-in lexicons' forms, built by `build.rs`.
const FI_FILTER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fi-forms.bloom"));
const SV_FILTER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sv-forms.bloom"));

/// Reads a resource from the override directory if it has it, else the built-in copy.
fn load((path, builtin): (&str, &'static [u8])) -> std::borrow::Cow<'static, [u8]> {
    if let Some(dir) = std::env::var_os(RESOURCES_ENV) {
        let file = PathBuf::from(dir).join(path);
        if let Ok(bytes) = std::fs::read(&file) {
            tracing::info!(file = %file.display(), "resource override loaded");
            return bytes.into();
        }
    }
    builtin.into()
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &str> {
    std::str::from_utf8(bytes)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The base forms a lexicon maps to, one per line, read in place: the FSTs map a word form to
/// a line number.
struct Lemmas {
    text: std::borrow::Cow<'static, [u8]>,
    /// Where each line starts, and after the last, where the text ends.
    starts: Vec<u32>,
}

impl Lemmas {
    fn new(text: std::borrow::Cow<'static, [u8]>) -> Lemmas {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        if starts.last().is_some_and(|&end| end as usize != text.len()) {
            starts.push(text.len() as u32 + 1);
        }
        Lemmas { text, starts }
    }

    fn get(&self, line: u64) -> Option<&str> {
        let line = usize::try_from(line).ok()?;
        let (&start, &next) = (self.starts.get(line)?, self.starts.get(line + 1)?);
        let bytes = self
            .text
            .get(start as usize..(next as usize).checked_sub(1)?)?;
        std::str::from_utf8(bytes)
            .ok()
            .map(|l| l.trim_end_matches('\r'))
    }
}

/// A lemma lexicon: word form → base form, exact and with ä/ö/å folded.
pub struct Lexicon {
    // Borrowed from the binary unless overridden: 9 MB that need not be copied to the heap.
    forms: Map<std::borrow::Cow<'static, [u8]>>,
    folded: Map<std::borrow::Cow<'static, [u8]>>,
    lemmas: Lemmas,
    extra: HashMap<String, String>,
    /// Hashes of the base forms long enough to be compounds, built on first use
    /// ([`Lexicon::is_long_lemma`]).
    long_lemmas: OnceLock<HashSet<u64>>,
    /// The forms of `forms`, as a Bloom filter asked before the FST, on first use.
    forms_filter: OnceLock<Bloom>,
    /// The filter `build.rs` built of the built-in lexicon: used when its stamp is that of
    /// `forms` (the lexicon is not overridden), else the filter is built.
    built_filter: &'static [u8],
}

impl Lexicon {
    fn load(
        forms: (&str, &'static [u8]),
        folded: (&str, &'static [u8]),
        lemmas: (&str, &'static [u8]),
        extra: (&str, &'static [u8]),
        built_filter: &'static [u8],
    ) -> Lexicon {
        let map =
            |bytes: std::borrow::Cow<'static, [u8]>| Map::new(bytes).expect("a valid lexicon FST");
        let lemma_bytes = load(lemmas);
        Lexicon {
            forms: map(load(forms)),
            folded: map(load(folded)),
            lemmas: Lemmas::new(lemma_bytes),
            extra: lines(&load(extra))
                .filter_map(|l| l.split_once('\t'))
                .map(|(f, l)| (f.trim().to_lowercase(), l.trim().to_lowercase()))
                .collect(),
            long_lemmas: OnceLock::new(),
            forms_filter: OnceLock::new(),
            built_filter,
        }
    }

    /// Whether `forms` may hold the form. Most forms the analysis asks about are not words
    /// (the substrings a compound split tries, two neighbouring words written together), and
    /// walking the FST to find that out was the largest cost of indexing (callgrind, a
    /// 10,000-document build of the peers' corpus: `lemma` and `knows` 43 % of instructions).
    /// The filter takes 8 MB for the Finnish lexicon's 3.5 million forms.
    fn in_filter(&self, form: &str) -> bool {
        self.filter().may_contain(form.as_bytes())
    }

    /// Whether the lexicon may know the form: [`Lexicon::knows`] without walking the FST, so
    /// about one form in a hundred it does not know answers `true`.
    pub fn may_know(&self, form: &str) -> bool {
        self.extra.contains_key(form) || self.in_filter(form)
    }

    fn filter(&self) -> &Bloom {
        self.forms_filter.get_or_init(|| {
            let fst = self.forms.as_fst();
            Bloom::from_bytes(self.built_filter, Bloom::stamp(fst.as_bytes()))
                .unwrap_or_else(|| Bloom::of_fst_keys(fst))
        })
    }

    /// Brings into the CPU's cache what [`Lexicon::knows`] of each form reads first, all at
    /// once: most forms asked about in a batch are absent, and the filter then answers each
    /// from a line already read.
    pub fn prepare<'a>(&self, forms: impl Iterator<Item = &'a str>) {
        let filter = self.filter();
        let lines = forms.fold(0u8, |sum, form| {
            sum.wrapping_add(filter.load_block(form.as_bytes()))
        });
        std::hint::black_box(lines);
    }

    /// Whether a lowercase word of at least [`MIN_WORD_CHARS`] characters is one of the
    /// lexicon's base forms (the FST maps forms, not base forms, so this is a set of their
    /// hashes: a collision costs one needless index term). Built on first use: about 47 M
    /// instructions per language (callgrind), paid by the first indexing or query that asks.
    pub fn is_long_lemma(&self, word: &str) -> bool {
        use std::hash::BuildHasher;
        let set = self.long_lemmas.get_or_init(|| {
            (0..self.lemmas.starts.len() as u64)
                .filter_map(|line| self.lemmas.get(line))
                .chain(self.extra.values().map(String::as_str))
                .filter(|l| l.chars().count() >= MIN_WORD_CHARS)
                .map(|l| rustc_hash::FxBuildHasher.hash_one(l))
                .collect()
        });
        set.contains(&rustc_hash::FxBuildHasher.hash_one(word))
    }

    /// The base form of a lowercase word form, if the lexicon knows it.
    pub fn lemma(&self, form: &str) -> Option<&str> {
        if let Some(l) = self.extra.get(form) {
            return Some(l);
        }
        if !self.in_filter(form) {
            return None;
        }
        self.forms.get(form).and_then(|id| self.lemmas.get(id))
    }

    /// The base form of a word typed with ä/ö/å folded to a/o/a.
    pub fn lemma_folded(&self, folded: &str) -> Option<&str> {
        self.folded.get(folded).and_then(|id| self.lemmas.get(id))
    }

    /// Whether the lexicon knows the form.
    pub fn knows(&self, form: &str) -> bool {
        self.extra.contains_key(form) || (self.in_filter(form) && self.forms.contains_key(form))
    }
}

/// Parts an administrator allows in compounds, and words never to split.
#[derive(Default)]
pub struct CompoundParts {
    /// Surface string → base form.
    pub parts: HashMap<String, String>,
    /// Words that look like compounds but are not.
    pub never_split: HashSet<String>,
}

impl CompoundParts {
    fn load(file: (&str, &'static [u8])) -> CompoundParts {
        let mut out = CompoundParts::default();
        for line in lines(&load(file)) {
            if let Some(word) = line.strip_prefix('-') {
                out.never_split.insert(word.trim().to_lowercase());
            } else if let Some((surface, lemma)) = line.split_once('\t') {
                out.parts
                    .insert(surface.trim().to_lowercase(), lemma.trim().to_lowercase());
            }
        }
        out
    }
}

/// Everything one language needs.
pub struct LanguageResources {
    /// Lemma lexicon (Finnish and Swedish).
    pub lexicon: Option<Lexicon>,
    /// Stop words.
    pub stopwords: HashSet<String>,
    /// Compound lexicon additions.
    pub compound_parts: CompoundParts,
}

/// All resources, loaded once.
pub struct Resources {
    fi: LanguageResources,
    sv: LanguageResources,
    en: LanguageResources,
    /// Synonym groups, each a list of equivalent terms or phrases.
    pub synonym_groups: Vec<Vec<String>>,
}

impl Resources {
    /// The resources of one language.
    pub fn language(&self, lang: Language) -> &LanguageResources {
        match lang {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }
}

fn stopwords(file: (&str, &'static [u8])) -> HashSet<String> {
    lines(&load(file)).map(str::to_lowercase).collect()
}

/// The process-wide resources, loaded on first use.
pub fn resources() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(|| Resources {
        fi: LanguageResources {
            lexicon: Some(Lexicon::load(
                FI_LEXICON, FI_FOLDED, FI_LEMMAS, FI_EXTRA, FI_FILTER,
            )),
            stopwords: stopwords(FI_STOP),
            compound_parts: CompoundParts::load(FI_PARTS),
        },
        sv: LanguageResources {
            lexicon: Some(Lexicon::load(
                SV_LEXICON, SV_FOLDED, SV_LEMMAS, SV_EXTRA, SV_FILTER,
            )),
            stopwords: stopwords(SV_STOP),
            compound_parts: CompoundParts::load(SV_PARTS),
        },
        en: LanguageResources {
            lexicon: None,
            stopwords: stopwords(EN_STOP),
            compound_parts: CompoundParts::default(),
        },
        synonym_groups: lines(&load(SYNONYMS))
            .map(|l| {
                l.split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() > 1)
            .collect(),
    })
}
