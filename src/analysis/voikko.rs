//! Voikko, the Finnish morphological analyser, loaded at run time when the system has it
//! (`apt-get install libvoikko1 voikko-fi`): Innohaku builds and runs without it, and uses
//! it for Finnish base forms and compound parts when it is there.
//!
//! Only the few C functions needed are looked up. A Voikko handle is not thread-safe, so
//! calls are serialised; the analyser's per-thread word cache keeps them rare.

use std::ffi::{CStr, CString, c_char, c_void};
use std::sync::{Mutex, OnceLock};

/// Set to `off` to ignore an installed Voikko (`auto`, the default, uses it when present).
pub const VOIKKO_ENV: &str = "INNOHAKU_VOIKKO";

type Init = unsafe extern "C" fn(*mut *const c_char, *const c_char, *const c_char) -> *mut c_void;
type Analyze = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_void;
type Value = unsafe extern "C" fn(*const c_void, *const c_char) -> *mut c_char;
type FreeValue = unsafe extern "C" fn(*mut c_char);
type FreeAnalyses = unsafe extern "C" fn(*mut *mut c_void);

struct Library {
    handle: *mut c_void,
    analyze: Analyze,
    value: Value,
    free_value: FreeValue,
    free_analyses: FreeAnalyses,
    // Keeps the functions above valid.
    _library: libloading::Library,
}

// The handle is only used under the mutex below.
unsafe impl Send for Library {}

/// One reading of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The base form (`mielenterveyspalvelu`).
    pub base: String,
    /// Compound components as (form inside the compound, base form): `mielen`/`mieli`,
    /// `terveys`/`terveys`, `palvelu`/`palvelu`. One component for a simple word.
    pub components: Vec<(String, String)>,
    /// What the word's last component derives from, where Voikko says it is derived:
    /// `ohjaus` (`+ohja(ohjata)+us(+us)`) derives from *ohjata*.
    pub root: Option<String>,
}

fn library() -> Option<&'static Mutex<Library>> {
    static LIBRARY: OnceLock<Option<Mutex<Library>>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| {
            if std::env::var(VOIKKO_ENV).is_ok_and(|v| v == "off") {
                return None;
            }
            match load() {
                Ok(library) => Some(Mutex::new(library)),
                Err(reason) => {
                    tracing::debug!(%reason, "Voikko not available; using the lemma lexicons");
                    None
                }
            }
        })
        .as_ref()
}

fn load() -> Result<Library, String> {
    // SAFETY: loading libvoikko runs no initialisers with preconditions, and each symbol is
    // given the signature of libvoikko 4's C API (voikko.h).
    unsafe {
        let library = libloading::Library::new("libvoikko.so.1").map_err(|e| e.to_string())?;
        let init: Init = *library.get(b"voikkoInit\0").map_err(|e| e.to_string())?;
        let analyze: Analyze = *library
            .get(b"voikkoAnalyzeWordCstr\0")
            .map_err(|e| e.to_string())?;
        let value: Value = *library
            .get(b"voikko_mor_analysis_value_cstr\0")
            .map_err(|e| e.to_string())?;
        let free_value: FreeValue = *library
            .get(b"voikko_free_mor_analysis_value_cstr\0")
            .map_err(|e| e.to_string())?;
        let free_analyses: FreeAnalyses = *library
            .get(b"voikko_free_mor_analysis\0")
            .map_err(|e| e.to_string())?;
        let mut error: *const c_char = std::ptr::null();
        let handle = init(&mut error, c"fi".as_ptr(), std::ptr::null());
        if handle.is_null() {
            let reason = if error.is_null() {
                "voikkoInit failed".to_owned()
            } else {
                CStr::from_ptr(error).to_string_lossy().into_owned()
            };
            return Err(format!("{reason} (is voikko-fi installed?)"));
        }
        Ok(Library {
            handle,
            analyze,
            value,
            free_value,
            free_analyses,
            _library: library,
        })
    }
}

/// Whether Voikko is loaded and used.
pub fn active() -> bool {
    library().is_some()
}

/// Voikko's readings of a lowercase Finnish word; empty when it does not know the word, and
/// `None` when Voikko is not available.
pub fn readings(word: &str) -> Option<Vec<Reading>> {
    let library = library()?;
    let Ok(word) = CString::new(word) else {
        return Some(Vec::new());
    };
    let library = library.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = Vec::new();
    // SAFETY: the handle is valid for the process; the analysis array is null-terminated and
    // freed once; each value string is copied before it is freed.
    unsafe {
        let analyses = (library.analyze)(library.handle, word.as_ptr());
        if analyses.is_null() {
            return Some(out);
        }
        let value = |analysis: *const c_void, key: &CStr| {
            let raw = (library.value)(analysis, key.as_ptr());
            if raw.is_null() {
                return None;
            }
            let s = CStr::from_ptr(raw).to_string_lossy().into_owned();
            (library.free_value)(raw);
            Some(s)
        };
        let mut at = analyses;
        while !(*at).is_null() {
            let analysis = *at as *const c_void;
            if let Some(base) = value(analysis, c"BASEFORM") {
                // Hyphens are dropped as in the rest of the analysis: sote-keskus = sotekeskus.
                let base = base.replace('-', "").to_lowercase();
                let wordbases = value(analysis, c"WORDBASES");
                let root = wordbases.as_deref().and_then(derivation_root);
                let components = wordbases
                    .map(|w| components(&w))
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| vec![(base.clone(), base.clone())]);
                out.push(Reading {
                    base,
                    components,
                    root,
                });
            }
            at = at.add(1);
        }
        (library.free_analyses)(analyses);
    }
    Some(out)
}

/// The morphemes of Voikko's WORDBASES, `+mielen(mieli)+terve(terve)+ys(+ys)`, as (written
/// form, base form): `form(base)`, or a bare `form` with an empty base; a derivational
/// suffix's base starts with `+`.
fn morphemes(wordbases: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = wordbases;
    std::iter::from_fn(move || {
        let after = rest.strip_prefix('+')?;
        let form_end = after.find(['(', '+']).unwrap_or(after.len());
        let (base, next) = match after[form_end..].strip_prefix('(') {
            Some(inner) => {
                let close = inner.find(')').unwrap_or(inner.len());
                (&inner[..close], inner.get(close + 1..).unwrap_or(""))
            }
            None => ("", &after[form_end..]),
        };
        rest = next;
        Some((&after[..form_end], base))
    })
}

/// A morpheme's form or base as a term: `=` marks a morpheme boundary inside a part
/// (`hyvin=vointi`), `-` a written hyphen (`sote-`), and neither belongs to a term.
fn clean(s: &str) -> String {
    s.replace(['=', '-'], "").to_lowercase()
}

/// The base of the last component of Voikko's WORDBASES that a derivational suffix follows:
/// `+ohja(ohjata)+us(+us)` → ohjata; none for a word without a suffix.
fn derivation_root(wordbases: &str) -> Option<String> {
    let mut root = None;
    let mut last_base = None;
    for (_, base) in morphemes(wordbases) {
        if base.starts_with('+') {
            root = last_base.clone();
        } else if !base.is_empty() {
            last_base = Some(clean(base));
            root = None;
        }
    }
    root
}

/// Compound components from Voikko's WORDBASES, `+mielen(mieli)+terve(terve)+ys(+ys)`:
/// a morpheme whose base starts with `+` (a derivational suffix) joins the component before
/// it, and such a component's base form is its written form (`terveys`).
fn components(wordbases: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for (form, base) in morphemes(wordbases) {
        let form = clean(form);
        match out.last_mut() {
            // A suffix (`(+ys)`) or a bare ending joins the component before it.
            Some((surface, _, derived)) if base.is_empty() || base.starts_with('+') => {
                surface.push_str(&form);
                *derived = true;
            }
            _ => out.push((form, clean(base), false)),
        }
    }
    out.into_iter()
        .map(|(surface, base, derived)| {
            let base = if derived || base.is_empty() {
                surface.clone()
            } else {
                base
            };
            (surface, base)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;
    use crate::schema::Language;

    /// Runs where Voikko is installed; `scripts/test` installs it and sets
    /// `INNOHAKU_EXPECT_VOIKKO`, so that there a missing library fails instead of skipping.
    #[test]
    fn voikko_readings_and_their_use_when_installed() {
        if !active() {
            assert!(
                std::env::var_os("INNOHAKU_EXPECT_VOIKKO").is_none()
                    || std::env::var(VOIKKO_ENV).is_ok_and(|v| v == "off"),
                "Voikko is expected but could not be loaded"
            );
            return;
        }
        let r = readings("mielenterveyspalveluissa").unwrap();
        assert_eq!(r[0].base, "mielenterveyspalvelu");
        assert_eq!(
            r[0].components
                .iter()
                .map(|c| c.1.as_str())
                .collect::<Vec<_>>(),
            ["mieli", "terveys", "palvelu"]
        );
        assert!(
            readings("xqzzvw").unwrap().is_empty(),
            "unknown words have no reading"
        );
        let analyzer = Analyzer::full(Language::Fi);
        // The lexicon's base form leads where Voikko lists another reading first…
        assert_eq!(analyzer.word("tuen", false).main, "tuki");
        // …and Voikko's other readings and compound runs are parts.
        let terms = analyzer.word("jalkautuvassa", false);
        assert_eq!(terms.main, "jalkautua");
        assert!(terms.parts.contains(&"jalkautuva".to_owned()), "{terms:?}");
        let terms = analyzer.word("lastensuojeluilmoitusten", false);
        for part in ["lapsi", "lastensuojelu", "ilmoitus", "suojeluilmoitus"] {
            assert!(terms.parts.contains(&part.to_owned()), "{part}: {terms:?}");
        }
    }

    #[test]
    fn a_suffix_names_the_root_it_derives_from() {
        assert_eq!(
            derivation_root("+ohja(ohjata)+us(+us)").as_deref(),
            Some("ohjata")
        );
        assert_eq!(
            derivation_root("+asumis(asua)+palvel(palvella)+u(+u)").as_deref(),
            Some("palvella")
        );
        assert_eq!(derivation_root("+koti(koti)+hoito(hoito)"), None);
    }

    #[test]
    fn wordbases_become_components() {
        let pairs = |v: Vec<(String, String)>| -> Vec<(String, String)> { v };
        assert_eq!(
            pairs(components(
                "+mielen(mieli)+terve(terve)+ys(+ys)+palvel(palvella)+u(+u)"
            )),
            [
                ("mielen".into(), "mieli".into()),
                ("terveys".into(), "terveys".into()),
                ("palvelu".into(), "palvelu".into())
            ]
        );
        assert_eq!(
            components("+lasten(lapsi)+suojel(suojella)+u(+u)"),
            [
                ("lasten".to_owned(), "lapsi".to_owned()),
                ("suojelu".to_owned(), "suojelu".to_owned())
            ]
        );
        assert_eq!(
            components("+ikäänty(ikääntyä)+n+yt(+yt)"),
            [("ikääntynyt".to_owned(), "ikääntynyt".to_owned())]
        );
        assert_eq!(
            components("+hyvin=vointi(hyvinvointi)+alue(alue)"),
            [
                ("hyvinvointi".to_owned(), "hyvinvointi".to_owned()),
                ("alue".to_owned(), "alue".to_owned())
            ]
        );
        assert_eq!(
            components("+sote-(sote)+keskus(keskus)"),
            [
                ("sote".to_owned(), "sote".to_owned()),
                ("keskus".to_owned(), "keskus".to_owned())
            ]
        );
        assert_eq!(
            components("+koti(koti)+hoito(hoito)"),
            [
                ("koti".to_owned(), "koti".to_owned()),
                ("hoito".to_owned(), "hoito".to_owned())
            ]
        );
    }
}
