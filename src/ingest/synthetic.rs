//! A seeded generator of realistic synthetic documents for benchmarks: sentences are drawn
//! from word-bigram chains learned from the sample corpus, per language, so term statistics,
//! inflection and compounds look like real practice descriptions at any size.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::schema::{Document, Language, Phase, ProjectStatus, Region, TargetGroup, Theme};

/// A small, fast, seeded random number generator (xorshift64*): benchmarks need
/// reproducibility, not cryptographic quality.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Word chains of one language.
#[derive(Default)]
struct Chain {
    starts: Vec<String>,
    next: HashMap<String, Vec<String>>,
}

impl Chain {
    fn learn(&mut self, text: &str) {
        for sentence in text.split(['.', '!', '?']) {
            let words: Vec<&str> = sentence.split_whitespace().collect();
            if words.len() < 3 {
                continue;
            }
            self.starts.push(words[0].to_owned());
            for pair in words.windows(2) {
                self.next
                    .entry(pair[0].to_owned())
                    .or_default()
                    .push(pair[1].to_owned());
            }
        }
    }

    fn sentence(&self, rng: &mut Rng, max_words: usize) -> String {
        let mut word = rng.pick(&self.starts).clone();
        let mut out = vec![word.clone()];
        while out.len() < max_words {
            let Some(next) = self.next.get(&word) else {
                break;
            };
            word = rng.pick(next).clone();
            out.push(word.clone());
        }
        let mut s = out.join(" ");
        s.push('.');
        s
    }

    /// About `min` + a random share of `spread` words of running text.
    fn text(&self, rng: &mut Rng, min: usize, spread: usize) -> String {
        let words = min + rng.below(spread);
        let mut out = String::new();
        let mut n = 0;
        while n < words {
            let length = 8 + rng.below(14);
            let s = self.sentence(rng, length);
            n += s.split_whitespace().count();
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s);
        }
        out
    }
}

/// Generates documents in the style of a sample corpus.
pub struct Generator {
    chains: HashMap<Language, Chain>,
    titles: HashMap<Language, Vec<String>>,
    organisations: Vec<String>,
    rng: Rng,
}

impl Generator {
    /// Learns from sample documents; `seed` fixes the output.
    pub fn new(sample: &[Document], seed: u64) -> Generator {
        let mut chains: HashMap<Language, Chain> = HashMap::new();
        let mut titles: HashMap<Language, Vec<String>> = HashMap::new();
        let mut organisations = Vec::new();
        for doc in sample {
            let chain = chains.entry(doc.language()).or_default();
            for (field, text) in doc.strings() {
                if field != "title" && field != "organisations" {
                    chain.learn(text);
                }
            }
            titles
                .entry(doc.language())
                .or_default()
                .push(doc.common.title.clone());
            organisations.extend(doc.common.organisations.iter().cloned());
        }
        organisations.sort();
        organisations.dedup();
        Generator {
            chains,
            titles,
            organisations,
            rng: Rng::new(seed),
        }
    }

    /// The `n`th synthetic document as JSON (the same wire format as the sample corpus).
    pub fn document(&mut self, n: usize) -> Value {
        let rng = &mut self.rng;
        // Language shares of the sample corpus: mostly Finnish, a sixth Swedish.
        let lang = match rng.below(100) {
            0..=79 => Language::Fi,
            80..=96 => Language::Sv,
            _ => Language::En,
        };
        let lang = if self.chains.contains_key(&lang) {
            lang
        } else {
            Language::Fi
        };
        let chain = &self.chains[&lang];
        // Titles recombine two real titles' halves, so they read like titles.
        let titles = &self.titles[&lang];
        let (a, b) = (rng.pick(titles), rng.pick(titles));
        let half = |t: &str, first: bool| {
            let words: Vec<&str> = t.split_whitespace().collect();
            let mid = words.len() / 2;
            if first {
                words[..mid.max(1)].join(" ")
            } else {
                words[mid..].join(" ")
            }
        };
        let title = format!("{} {}", half(a, true), half(b, false));
        let created = NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date")
            + chrono::Days::new(rng.below(2500) as u64);
        let updated = created + chrono::Days::new(rng.below(400) as u64);
        let mut doc = json!({
            "id": format!("synth-{n}"),
            "title": title,
            "summary": chain.text(rng, 30, 30),
            "language": lang.code(),
            "themes": [rng.pick(Theme::ALL).id(), rng.pick(Theme::ALL).id()],
            "target_groups": [rng.pick(TargetGroup::ALL).id()],
            "regions": [rng.pick(Region::ALL).id()],
            "organisations": [rng.pick(&self.organisations), rng.pick(&self.organisations)],
            "created_at": created.to_string(),
            "updated_at": updated.to_string(),
        });
        let kind = match rng.below(100) {
            0..=64 => "practice",
            65..=86 => "project",
            _ => "network",
        };
        doc["kind"] = kind.into();
        match kind {
            "practice" => {
                doc["goals"] = chain.text(rng, 30, 0).into();
                doc["how_it_works"] = chain.text(rng, 100, 120).into();
                doc["resources"] = chain.text(rng, 20, 0).into();
                doc["evaluation"] = chain.text(rng, 30, 0).into();
                doc["phase"] = rng.pick(Phase::ALL).id().into();
            }
            "project" => {
                doc["goals"] = chain.text(rng, 40, 0).into();
                doc["results"] = chain.text(rng, 60, 80).into();
                doc["start_date"] = created.to_string().into();
                doc["status"] = rng.pick(ProjectStatus::ALL).id().into();
            }
            _ => doc["description"] = chain.text(rng, 80, 100).into(),
        }
        let dedup = |v: &mut Value| {
            if let Some(list) = v.as_array_mut() {
                list.dedup();
            }
        };
        for key in ["themes", "organisations"] {
            dedup(&mut doc[key]);
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Document> {
        let line = r#"{"kind":"network","id":"a","title":"Perhekeskusten kehittäjäverkosto Pirkanmaalla","summary":"Verkosto kokoaa perhekeskusten kehittäjät. Tapaamme kuukausittain ja jaamme kokemuksia lasten ja perheiden palveluista.","language":"fi","organisations":["Pirkanmaan hyvinvointialue"],"created_at":"2024-01-01","updated_at":"2024-01-01","description":"Verkosto tukee perhekeskusten kehittämistä koko alueella. Kehittäjät jakavat hyviä käytäntöjä ja arvioivat palveluiden vaikuttavuutta yhdessä."}"#;
        vec![crate::ingest::parse_document(line.as_bytes()).unwrap()]
    }

    #[test]
    fn documents_are_valid_and_reproducible() {
        let docs = sample();
        let mut a = Generator::new(&docs, 7);
        let mut b = Generator::new(&docs, 7);
        for n in 0..50 {
            let doc = a.document(n);
            assert_eq!(doc, b.document(n));
            Document::from_value(doc).expect("a valid document");
        }
    }
}
