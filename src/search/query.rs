//! The user's query language, forgiving by design: words, "quoted phrases", `-exclusions` and
//! `OR`. Nothing a user types is a syntax error; what does not parse is read as plain words.

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1024;
/// Items beyond this many are ignored: they add cost, not precision.
pub const MAX_ITEMS: usize = 32;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Every group must match; a group matches when any of its items does.
    pub groups: Vec<Vec<Item>>,
    /// No item here may match.
    pub exclusions: Vec<Item>,
    /// The last item is a word still being typed (no space after it): search as you type
    /// matches it as a prefix too.
    pub last_is_partial: bool,
}

/// A word or a phrase, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// One word.
    Word(String),
    /// Words that must appear together, in order.
    Phrase(String),
}

impl Item {
    /// The text as typed.
    pub fn text(&self) -> &str {
        match self {
            Item::Word(t) | Item::Phrase(t) => t,
        }
    }
}

impl ParsedQuery {
    /// Whether no positive item was given (only exclusions, or nothing): match everything.
    pub fn matches_all(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every positive item.
    pub fn positives(&self) -> impl Iterator<Item = &Item> {
        self.groups.iter().flatten()
    }
}

#[derive(Debug, PartialEq)]
enum Lexeme {
    Item { item: Item, negated: bool },
    Or,
}

/// Parses user query text. Never fails; control characters count as spaces.
pub fn parse(input: &str) -> ParsedQuery {
    let cleaned: String = input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| {
            if c.is_control() || c == '\u{feff}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut query = ParsedQuery::default();
    let mut pending_or = false;
    let lexemes = lex(&cleaned);
    query.last_is_partial = !cleaned.ends_with(char::is_whitespace)
        && matches!(
            lexemes.last(),
            Some(Lexeme::Item {
                item: Item::Word(_),
                negated: false
            })
        );
    for lexeme in lexemes {
        match lexeme {
            Lexeme::Or => pending_or = !query.groups.is_empty(),
            Lexeme::Item {
                item,
                negated: true,
            } => {
                query.exclusions.push(item);
                pending_or = false;
            }
            Lexeme::Item {
                item,
                negated: false,
            } => {
                match query.groups.last_mut() {
                    Some(group) if pending_or => group.push(item),
                    _ => query.groups.push(vec![item]),
                }
                pending_or = false;
            }
        }
        if query.groups.iter().map(Vec::len).sum::<usize>() + query.exclusions.len() >= MAX_ITEMS {
            query.last_is_partial = false;
            break;
        }
    }
    query
}

fn lex(text: &str) -> Vec<Lexeme> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        let negated =
            rest.starts_with('-') && rest[1..].starts_with(|c: char| c == '"' || is_word_char(c));
        let body = if negated { &rest[1..] } else { rest };
        if let Some(after_quote) = body.strip_prefix('"') {
            // A phrase runs to the closing quote; an unclosed quote ends at the end of input.
            let (phrase, tail) = after_quote.split_once('"').unwrap_or((after_quote, ""));
            let words = words_of(phrase);
            match words.len() {
                0 => {}
                1 => out.push(Lexeme::Item {
                    item: Item::Word(words[0].to_owned()),
                    negated,
                }),
                _ => out.push(Lexeme::Item {
                    item: Item::Phrase(words.join(" ")),
                    negated,
                }),
            }
            rest = tail;
            continue;
        }
        let end = body
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(body.len());
        let token = &body[..end];
        rest = &body[end..];
        if token == "OR" && !negated {
            out.push(Lexeme::Or);
        } else if token.chars().any(is_word_char) {
            out.push(Lexeme::Item {
                item: Item::Word(token.to_owned()),
                negated,
            });
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn words_of(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .filter(|w| w.chars().any(is_word_char))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Item {
        Item::Word(s.into())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        let q = parse(r#"kotihoito "etä vastaanotto" -helsinki lapset OR nuoret"#);
        assert_eq!(
            q.groups,
            vec![
                vec![w("kotihoito")],
                vec![Item::Phrase("etä vastaanotto".into())],
                vec![w("lapset"), w("nuoret")]
            ]
        );
        assert_eq!(q.exclusions, vec![w("helsinki")]);
    }

    #[test]
    fn malformed_input_degrades_to_words() {
        assert_eq!(
            parse(r#""unclosed phrase here"#).groups,
            vec![vec![Item::Phrase("unclosed phrase here".into())]]
        );
        assert_eq!(parse("OR OR kunta OR").groups, vec![vec![w("kunta")]]);
        assert_eq!(
            parse("- -- \"\" \"\u{0}\u{7}\"").groups,
            Vec::<Vec<Item>>::new()
        );
        assert_eq!(
            parse("sote-keskus THL:n").groups,
            vec![vec![w("sote-keskus")], vec![w("THL:n")]]
        );
        assert!(parse("-vain -poissulkevia").matches_all());
    }

    #[test]
    fn the_last_word_is_partial_until_a_space_follows() {
        assert!(parse("kotihoito lastensuoj").last_is_partial);
        assert!(!parse("kotihoito lastensuoj ").last_is_partial);
        assert!(!parse("\"koti hoito\"").last_is_partial);
        assert!(!parse("koti -hoito").last_is_partial);
    }

    #[test]
    fn input_is_bounded() {
        let q = parse(&"sana ".repeat(10_000));
        assert_eq!(q.groups.len(), MAX_ITEMS);
    }
}
