//! A blocked Bloom filter over the word forms of a lexicon: most words the analysis asks the
//! lexicon about are not in it (the substrings a compound split tries, two neighbouring words
//! written together), and the filter answers those without walking the FST.
//!
//! Blocked: a word's bits all lie in one 64-byte block (one cache line), chosen by one half of
//! its hash; the other half chooses [`BITS_PER_WORD`] bits in the block. At about
//! [`BITS_PER_FORM`] bits per form that answers "maybe" for roughly 1 % of absent words, which
//! the FST then answers.
//!
//! The build script (`build.rs`) builds the filters of the built-in lexicons with this code
//! and the binary carries them ([`Bloom::to_bytes`], [`Bloom::from_bytes`]): building one
//! streams every form of its FST, about a second for Finnish's 3.5 million.

use std::borrow::Cow;
use std::hash::BuildHasher;

/// Bits set per word.
const BITS_PER_WORD: u32 = 7;
/// Bits of filter per form in the lexicon (rounded up to a power of two blocks).
const BITS_PER_FORM: usize = 12;
/// Bytes per block: one cache line.
const BLOCK_BYTES: usize = 64;

/// The filter. Never answers "absent" for a word it was built with.
pub struct Bloom {
    /// The blocks, one after the other; bit `k` of a block is bit `k % 8` of its byte `k / 8`.
    bits: Cow<'static, [u8]>,
    mask: u64,
}

impl Bloom {
    /// An empty filter sized for `forms` words.
    pub fn with_capacity(forms: usize) -> Bloom {
        let blocks = (forms.max(1) * BITS_PER_FORM)
            .div_ceil(8 * BLOCK_BYTES)
            .next_power_of_two();
        Bloom {
            bits: vec![0; blocks * BLOCK_BYTES].into(),
            mask: blocks as u64 - 1,
        }
    }

    /// The filter of every key of an FST (a lexicon's word forms).
    pub fn of_fst_keys<D: AsRef<[u8]>>(fst: &fst::raw::Fst<D>) -> Bloom {
        use fst::Streamer;
        let mut filter = Bloom::with_capacity(fst.len());
        let mut keys = fst.stream();
        while let Some((key, _)) = keys.next() {
            filter.insert(key);
        }
        filter
    }

    /// The stamp of a filter of the keys of the FST `fst_bytes`, built by this code: a hash of
    /// the FST and of the filter's layout, so that a filter is only read back for the lexicon
    /// it was made from, built the way this code would build it. (The hash is the filter's
    /// own: were it to change, the stamps would too.)
    pub fn stamp(fst_bytes: &[u8]) -> u64 {
        let layout = [BITS_PER_WORD as usize, BITS_PER_FORM, BLOCK_BYTES];
        rustc_hash::FxBuildHasher.hash_one((fst_bytes, layout))
    }

    /// The filter as bytes: `stamp`, then the blocks.
    #[allow(
        dead_code,
        reason = "the build script and the tests write filters, the library reads them"
    )]
    pub fn to_bytes(&self, stamp: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.bits.len());
        out.extend(stamp.to_le_bytes());
        out.extend_from_slice(&self.bits);
        out
    }

    /// The filter that [`Bloom::to_bytes`] wrote with the same `stamp`, read in place, or
    /// `None` (another stamp, or not a filter).
    pub fn from_bytes(bytes: &'static [u8], stamp: u64) -> Option<Bloom> {
        let (head, bits) = bytes.split_first_chunk::<8>()?;
        let blocks = bits.len() / BLOCK_BYTES;
        if u64::from_le_bytes(*head) != stamp
            || bits.len() % BLOCK_BYTES != 0
            || !blocks.is_power_of_two()
        {
            return None;
        }
        Some(Bloom {
            bits: bits.into(),
            mask: blocks as u64 - 1,
        })
    }

    /// Adds a word.
    pub fn insert(&mut self, word: &[u8]) {
        let (at, mut bits) = self.locate(word);
        let block = &mut self.bits.to_mut()[at..at + BLOCK_BYTES];
        for _ in 0..BITS_PER_WORD {
            let bit = (bits & 511) as usize;
            block[bit / 8] |= 1 << (bit % 8);
            bits >>= 9;
        }
    }

    /// Whether the word may be one the filter was built with (`false`: it certainly is not).
    #[inline]
    pub fn may_contain(&self, word: &[u8]) -> bool {
        let (at, mut bits) = self.locate(word);
        let block = &self.bits[at..at + BLOCK_BYTES];
        for _ in 0..BITS_PER_WORD {
            let bit = (bits & 511) as usize;
            if block[bit / 8] & (1 << (bit % 8)) == 0 {
                return false;
            }
            bits >>= 9;
        }
        true
    }

    /// Reads the block holding a word's bits, for a [`Bloom::may_contain`] of it soon after
    /// to find in the CPU's cache: reading the blocks of many words first, then testing
    /// them, lets the CPU wait for all of them at once instead of for one after another. Its
    /// first and last bytes: a block of a filter read from the binary is not aligned to a
    /// cache line, so it may lie on two.
    #[inline]
    pub fn load_block(&self, word: &[u8]) -> u8 {
        let at = self.locate(word).0;
        self.bits[at] ^ self.bits[at + BLOCK_BYTES - 1]
    }

    /// Where the block of a word starts, and the bits (nine at a time, 63 in all) that choose
    /// its bits.
    #[inline]
    fn locate(&self, word: &[u8]) -> (usize, u64) {
        // Two differently seeded hashes: one for the block, one for the bits in it.
        let h1 = rustc_hash::FxBuildHasher.hash_one(word);
        let h2 = h1.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (h1 >> 29);
        ((h1.rotate_left(26) & self.mask) as usize * BLOCK_BYTES, h2)
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

    #[test]
    fn a_filter_written_is_read_back_only_under_its_stamp() {
        let mut bloom = Bloom::with_capacity(1_000);
        for i in 0..1_000 {
            bloom.insert(format!("sana{i}").as_bytes());
        }
        let bytes: &'static [u8] = bloom.to_bytes(7).leak();
        assert!(Bloom::from_bytes(bytes, 8).is_none());
        assert!(Bloom::from_bytes(&bytes[..bytes.len() - 1], 7).is_none());
        let read = Bloom::from_bytes(bytes, 7).expect("a filter");
        assert_eq!((read.bits, read.mask), (bloom.bits, bloom.mask));
    }

    #[test]
    fn the_built_in_lexicons_filters_are_the_ones_the_build_script_wrote() {
        let lexicons: [(&[u8], &'static [u8]); 2] = [
            (
                include_bytes!("../../index/fi/lexicon.fst"),
                include_bytes!(concat!(env!("OUT_DIR"), "/fi-forms.bloom")),
            ),
            (
                include_bytes!("../../index/sv/lexicon.fst"),
                include_bytes!(concat!(env!("OUT_DIR"), "/sv-forms.bloom")),
            ),
        ];
        for (fst, filter) in lexicons {
            let fst = fst::raw::Fst::new(fst).expect("a valid FST");
            let read = Bloom::from_bytes(filter, Bloom::stamp(fst.as_bytes())).expect("stamped");
            let built = Bloom::of_fst_keys(&fst);
            assert!(read.bits == built.bits && read.mask == built.mask);
        }
    }
}
