//! Splitting text into words the way Finnish and Swedish need: hyphenated words stay whole
//! (`sote-keskus`), abbreviations keep their inflection apart (`THL:n` is the word `THL`),
//! and a word ending in a hyphen before a conjunction is marked as the first half of a
//! coordinated compound (`sosiaali- ja terveyspalvelut`).

/// Words longer than this many bytes are skipped: they are noise, not words.
pub const MAX_WORD_BYTES: usize = 64;

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written, without an abbreviation's inflection or a trailing hyphen.
    pub text: &'a str,
    /// Byte offset of the word.
    pub start: usize,
    /// Byte offset after the word (including any `:n` ending).
    pub end: usize,
    /// The word ended in a hyphen: the first half of a coordinated compound.
    pub dangling: bool,
}

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::with_capacity(text.len() / 8);
    out.extend(Words::new(text));
    out
}

/// The words of a text, one at a time, as [`words`] finds them.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    /// Where reading goes on, in bytes.
    at: usize,
}

impl<'a> Words<'a> {
    /// The words of `text`.
    pub fn new(text: &'a str) -> Words<'a> {
        Words { text, at: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let text = self.text;
        let mut i = self.at;
        loop {
            let (c, len) = char_at(text, i)?;
            i += len;
            if !is_word_char(c) {
                continue;
            }
            let start = i - len;
            let mut end = i;
            let mut text_end = None;
            let mut dangling = false;
            loop {
                // ASCII letters and digits, most of any word, a byte at a time.
                let run = i;
                while text
                    .as_bytes()
                    .get(i)
                    .is_some_and(u8::is_ascii_alphanumeric)
                {
                    i += 1;
                }
                if i > run {
                    end = i;
                }
                let Some((c, len)) = char_at(text, i) else {
                    break;
                };
                if is_word_char(c) {
                    i += len;
                    end = i;
                    continue;
                }
                let next = char_at(text, i + len).map(|(n, _)| n);
                match (c, next) {
                    // An inner hyphen joins: sote-keskus, Etelä-Karjala.
                    ('-', Some(n)) if is_word_char(n) && text_end.is_none() => i += len,
                    // A colon before letters starts an abbreviation's case ending: THL:n,
                    // EU:ssa.
                    (':', Some(n)) if n.is_alphabetic() && text_end.is_none() => {
                        text_end = Some(end);
                        i += len;
                    }
                    // A hyphen before a space, comma or the end: "sosiaali- ja".
                    ('-' | '\u{2010}' | '\u{2011}', n)
                        if n.is_none_or(|n| n.is_whitespace() || n == ',') =>
                    {
                        dangling = text_end.is_none();
                        i += len;
                        break;
                    }
                    _ => break,
                }
            }
            let text_end = text_end.unwrap_or(end);
            if text_end - start <= MAX_WORD_BYTES {
                self.at = i;
                return Some(Word {
                    text: &text[start..text_end],
                    start,
                    end,
                    dangling,
                });
            }
        }
    }
}

/// The character at byte `i` of `text` and its length; ASCII without decoding, as most of
/// any text is.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let &b = text.as_bytes().get(i)?;
    if b.is_ascii() {
        return Some((char::from(b), 1));
    }
    let c = text[i..].chars().next()?;
    Some((c, c.len_utf8()))
}

#[inline]
fn is_word_char(c: char) -> bool {
    match c {
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        // Latin-1's letters (ä, ö, å, é...) without a search of Unicode's tables: nearly all
        // the other letters of Finnish and Swedish text.
        '\u{C0}'..='\u{FF}' => c != '×' && c != '÷',
        c => c.is_alphanumeric(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(&str, bool)> {
        words(s).into_iter().map(|w| (w.text, w.dangling)).collect()
    }

    #[test]
    fn hyphens_colons_and_numbers() {
        assert_eq!(
            texts("Sote-keskus ja THL:n malli (2024), EU:ssa 5–7 kertaa!"),
            [
                ("Sote-keskus", false),
                ("ja", false),
                ("THL", false),
                ("malli", false),
                ("2024", false),
                ("EU", false),
                ("5", false),
                ("7", false),
                ("kertaa", false)
            ]
        );
    }

    #[test]
    fn coordinated_compounds_are_marked() {
        assert_eq!(
            texts("sosiaali- ja terveyspalvelut"),
            [
                ("sosiaali", true),
                ("ja", false),
                ("terveyspalvelut", false)
            ]
        );
        assert_eq!(
            texts("perus-, erikois- tai"),
            [("perus", true), ("erikois", true), ("tai", false)]
        );
        assert_eq!(texts("lopussa -"), [("lopussa", false)]);
    }

    #[test]
    fn offsets_cover_the_written_word() {
        let text = "Ikääntyneiden THL:n";
        let w = words(text);
        assert_eq!(&text[w[0].start..w[0].end], "Ikääntyneiden");
        assert_eq!(&text[w[1].start..w[1].end], "THL:n");
    }

    proptest::proptest! {
        #[test]
        fn words_are_the_text_itself(text in "\\PC{0,80}") {
            for w in words(&text) {
                proptest::prop_assert!(w.start < w.end && w.end <= text.len());
                proptest::prop_assert_eq!(&text[w.start..w.start + w.text.len()], w.text);
                proptest::prop_assert!(w.text.chars().next().is_some_and(char::is_alphanumeric));
            }
        }
    }
}
