//! The per-thread word cache: a word's hash → its analysed terms.
//!
//! Indexing looks up every word of every text here, and at a build's scale the tables are
//! far larger than the CPU's caches, so a lookup's cost is its memory reads. Each generation
//! is one open-addressing table whose slot holds both the key and the terms' pointer (one read
//! where a hash map's separate control bytes and buckets made two), and a text's words can
//! be looked up side by side (`Analyzer::text_terms`).

use std::rc::Rc;

use super::pipeline::WordTerms;

/// A word as the cache knows it: its 128-bit hash ([`WordKey::of`]). Not the word itself:
/// comparing a word with a key kept elsewhere in memory cost a fifth of a lookup, and two
/// of the words a build meets share a hash with a chance below 10⁻²⁵. The hash is seeded
/// anew in each process, so that a text cannot be written in advance to make one word take
/// another's terms. XXH3 is no cryptographic hash: pairs of words crafted for it have been
/// reported to collide even seeded, with a small chance (about 2⁻²⁷); such a pair could at
/// most swap the terms of those two made-up words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct WordKey([u64; 2]);

impl WordKey {
    pub(super) fn of(word: &str) -> WordKey {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed = *SEED
            .get_or_init(|| std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), 0u8));
        let hash = twox_hash::XxHash3_128::oneshot_with_seed(seed, word.as_bytes());
        WordKey([hash as u64, (hash >> 64) as u64])
    }

    /// Where the key's probe starts in a table of `mask + 1` slots.
    fn home(self, mask: usize) -> usize {
        self.0[0] as usize & mask
    }
}

/// One slot: a key and its terms, or empty (`None`): 24 bytes.
#[derive(Default)]
struct Slot {
    key: WordKey,
    terms: Option<Rc<WordTerms>>,
}

/// One generation: a linear-probing table kept at most three quarters full, grown by
/// doubling, never emptied one entry at a time (a generation is dropped whole). When full, a
/// probe reads 2–3 slots on average (side by side) for a word the table holds, and about 8–9
/// for one it does not: a new word, or one found only in the old generation, pays that.
struct Generation {
    slots: Box<[Slot]>,
    len: usize,
}

impl Generation {
    /// A table of `size` slots, a power of two.
    fn new(size: usize) -> Generation {
        Generation {
            slots: std::iter::repeat_with(Slot::default).take(size).collect(),
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        debug_assert!(self.slots.len().is_power_of_two());
        self.slots.len() - 1
    }

    fn get(&self, key: WordKey) -> Option<&Rc<WordTerms>> {
        let mask = self.mask();
        let mut at = key.home(mask);
        loop {
            let slot = &self.slots[at];
            match &slot.terms {
                None => return None,
                Some(terms) if slot.key == key => return Some(terms),
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    fn insert(&mut self, key: WordKey, terms: Rc<WordTerms>) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let grown = Generation::new(self.slots.len() * 2);
            for slot in std::mem::replace(self, grown).slots {
                if let Some(terms) = slot.terms {
                    self.insert(slot.key, terms);
                }
            }
        }
        let mask = self.mask();
        let mut at = key.home(mask);
        loop {
            let slot = &mut self.slots[at];
            match &slot.terms {
                None => {
                    self.len += 1;
                    debug_assert!(self.len * 4 <= (mask + 1) * 3);
                    *slot = Slot {
                        key,
                        terms: Some(terms),
                    };
                    return;
                }
                Some(_) if slot.key == key => {
                    slot.terms = Some(terms);
                    return;
                }
                Some(_) => at = (at + 1) & mask,
            }
        }
    }
}

/// The cache of one kind of analysis, in two generations: when the young one is full it
/// becomes the old one and the previous old one is dropped, and a word found in the old
/// generation is copied to the young one. Frequent words survive; memory stays bounded.
pub(super) struct WordCache {
    young: Generation,
    old: Option<Generation>,
    /// Words a generation holds at most.
    limit: usize,
}

/// Slots a cache starts with: a query's handful of words need no more, and a build's
/// generations grow to their limit once.
const FIRST_SLOTS: usize = 256;

impl WordCache {
    /// A cache of at most `entries` words: two generations of about half each, three
    /// quarters of a power of two, so that a full generation's table is full to its load
    /// limit and not one doubling larger than it needs (above the first table's 192).
    pub(super) fn new(entries: usize) -> WordCache {
        let slots = ((entries / 2).max(3) * 4 / 3 + 1).next_power_of_two() / 2;
        let limit = slots / 4 * 3;
        WordCache {
            young: Generation::new(FIRST_SLOTS),
            old: None,
            limit,
        }
    }

    pub(super) fn get(&mut self, key: WordKey) -> Option<Rc<WordTerms>> {
        if let Some(hit) = self.young.get(key) {
            return Some(hit.clone());
        }
        let hit = self.old.as_ref()?.get(key)?.clone();
        self.insert(key, hit.clone());
        Some(hit)
    }

    pub(super) fn insert(&mut self, key: WordKey, terms: Rc<WordTerms>) {
        if self.young.len >= self.limit {
            // As large as the one it replaces, which the words filled once already.
            let next = Generation::new(self.young.slots.len());
            self.old = Some(std::mem::replace(&mut self.young, next));
        }
        self.young.insert(key, terms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(main: &str) -> Rc<WordTerms> {
        Rc::new(WordTerms {
            main: main.into(),
            origin: super::super::Origin::Word,
            parts: Vec::new(),
            roots: Vec::new(),
        })
    }

    #[test]
    fn keeps_the_young_and_the_old_generation_and_drops_the_one_before() {
        let cache = WordCache::new(400_000);
        // Three quarters of 2^18 slots: the largest such table for 200,000 words.
        assert_eq!(cache.limit, 196_608);
        let mut cache = WordCache::new(200);
        let limit = cache.limit;
        let word = |i: usize| format!("sana{i}");
        let key = |i: usize| WordKey::of(&word(i));
        for i in 0..limit * 5 / 2 {
            cache.insert(key(i), terms(&word(i)));
        }
        // The first generation was dropped, the second is old, the third young.
        assert!(cache.get(key(5)).is_none());
        assert_eq!(cache.get(key(limit + 3)).unwrap().main, word(limit + 3));
        assert_eq!(
            cache.get(key(limit * 2 + 1)).unwrap().main,
            word(limit * 2 + 1)
        );
        // Found in the old generation, copied to the young one: it survives the next turn.
        for i in 10 * limit..11 * limit {
            cache.insert(key(i), terms(&word(i)));
        }
        assert_eq!(cache.get(key(limit + 3)).unwrap().main, word(limit + 3));
        assert!(cache.get(key(limit + 4)).is_none());
        assert!(cache.get(WordKey::of("toinen")).is_none());
    }

    #[test]
    fn a_growing_table_keeps_every_word() {
        let mut cache = WordCache::new(4_000);
        let words: Vec<String> = (0..cache.limit).map(|i| format!("sana{i}")).collect();
        for word in &words {
            cache.insert(WordKey::of(word), terms(word));
        }
        // 1,536 words: from 256 slots to 2,048, three doublings, and no turn yet.
        assert_eq!(cache.young.slots.len(), 2_048);
        assert!(cache.old.is_none());
        for word in &words {
            assert_eq!(cache.get(WordKey::of(word)).unwrap().main, word.as_str());
        }
    }

    #[test]
    fn a_word_inserted_again_takes_its_new_terms() {
        let mut cache = WordCache::new(10);
        cache.insert(WordKey::of("a"), terms("x"));
        cache.insert(WordKey::of("a"), terms("y"));
        assert_eq!(cache.get(WordKey::of("a")).unwrap().main, "y");
        assert_eq!(cache.young.len, 1);
    }
}
