//! A blocked Bloom filter over the word forms of a lexicon: most words the analysis asks the
//! lexicon about are not in it (the substrings a compound split tries, two neighbouring words
//! written together), and the filter answers those without walking the FST.
//!
//! Blocked: a word's bits all lie in one 64-byte block (one cache line), chosen by one half of
//! its hash; the other half chooses [`BITS_PER_WORD`] bits in the block. At about
//! [`BITS_PER_FORM`] bits per form that answers "maybe" for roughly 1 % of absent words, which
//! the FST then answers.

use std::hash::BuildHasher;

/// Bits set per word.
const BITS_PER_WORD: u32 = 7;
/// Bits of filter per form in the lexicon (rounded up to a power of two blocks).
const BITS_PER_FORM: usize = 12;
/// 64-bit words per block: one 64-byte cache line.
const BLOCK_WORDS: usize = 8;

/// The filter. Never answers "absent" for a word it was built with.
pub struct Bloom {
    blocks: Vec<[u64; BLOCK_WORDS]>,
    mask: u64,
}

impl Bloom {
    /// An empty filter sized for `forms` words.
    pub fn with_capacity(forms: usize) -> Bloom {
        let blocks = (forms.max(1) * BITS_PER_FORM)
            .div_ceil(64 * BLOCK_WORDS)
            .next_power_of_two();
        Bloom {
            blocks: vec![[0; BLOCK_WORDS]; blocks],
            mask: blocks as u64 - 1,
        }
    }

    /// Adds a word.
    pub fn insert(&mut self, word: &[u8]) {
        let (block, mut bits) = self.locate(word);
        let block = &mut self.blocks[block];
        for _ in 0..BITS_PER_WORD {
            let bit = (bits & 511) as usize;
            block[bit / 64] |= 1 << (bit % 64);
            bits >>= 9;
        }
    }

    /// Whether the word may be one the filter was built with (`false`: it certainly is not).
    #[inline]
    pub fn may_contain(&self, word: &[u8]) -> bool {
        let (block, mut bits) = self.locate(word);
        let block = &self.blocks[block];
        for _ in 0..BITS_PER_WORD {
            let bit = (bits & 511) as usize;
            if block[bit / 64] & (1 << (bit % 64)) == 0 {
                return false;
            }
            bits >>= 9;
        }
        true
    }

    /// The block of a word and the bits (nine at a time, 63 in all) that choose its bits.
    #[inline]
    fn locate(&self, word: &[u8]) -> (usize, u64) {
        // Two differently seeded hashes: one for the block, one for the bits in it.
        let h1 = rustc_hash::FxBuildHasher.hash_one(word);
        let h2 = h1.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (h1 >> 29);
        ((h1.rotate_left(26) & self.mask) as usize, h2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_every_word_and_rejects_most_others() {
        let words: Vec<String> = (0..50_000).map(|i| format!("sana{i}")).collect();
        let mut bloom = Bloom::with_capacity(words.len());
        for word in &words {
            bloom.insert(word.as_bytes());
        }
        assert!(words.iter().all(|w| bloom.may_contain(w.as_bytes())));
        let false_positives = (0..50_000)
            .filter(|i| bloom.may_contain(format!("muu{i}").as_bytes()))
            .count();
        assert!(false_positives < 1_500, "{false_positives} of 50,000");
    }
}
