//! The Tantivy schema: which fields exist, how each is analysed, and how a [`Document`] maps
//! onto them.

use chrono::{Datelike, NaiveDate};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{Class, analyzer_name, field_language};
use crate::schema::{Details, Document, Language};

/// A facet: a keyword field documents are filtered and counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetField {
    /// practice / project / network.
    Kind,
    /// Region ids.
    Region,
    /// Theme ids.
    Theme,
    /// Target group ids.
    TargetGroup,
    /// Practice phase.
    Phase,
    /// Document language.
    Language,
    /// Organisation names.
    Organisation,
    /// Project funding programme.
    Programme,
    /// Year the document was published (projects: every year they ran).
    Year,
}

impl FacetField {
    /// Every facet, in the order responses list them.
    pub const ALL: [FacetField; 9] = [
        FacetField::Kind,
        FacetField::Region,
        FacetField::Theme,
        FacetField::TargetGroup,
        FacetField::Phase,
        FacetField::Language,
        FacetField::Organisation,
        FacetField::Programme,
        FacetField::Year,
    ];

    /// The name of the facet, in the API and in the Tantivy schema.
    pub fn name(self) -> &'static str {
        match self {
            FacetField::Kind => "kind",
            FacetField::Region => "region",
            FacetField::Theme => "theme",
            FacetField::TargetGroup => "target_group",
            FacetField::Phase => "phase",
            FacetField::Language => "language",
            FacetField::Organisation => "organisation",
            FacetField::Programme => "programme",
            FacetField::Year => "year",
        }
    }
}

/// Text fields of one language.
#[derive(Debug, Clone, Copy)]
pub struct TextFields {
    /// The title.
    pub title: Field,
    /// The summary.
    pub summary: Field,
    /// Everything else.
    pub body: Field,
    /// Compound parts and derivational roots of all the text, weighted below whole words;
    /// with frequencies only (a part is looked up alone, never in a phrase).
    pub parts: Field,
    /// The words of all the text that folding changes (ä/ö/å, and é, ü and the like),
    /// folded, weighted below exact matches (any other word is looked up in the fields
    /// above; see `analysis::Class::Folded`).
    pub folded: Field,
    /// Known compounds written as two words side by side in any of the text (see
    /// `analysis::Class::Pairs`), with frequencies only.
    pub pairs: Field,
}

/// Handles of every field of the index schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The document id, raw.
    pub id: Field,
    /// The whole source document ([`Document::to_stored`]), stored for display. Text, not
    /// bytes: Tantivy reads a stored text in one piece and stored bytes one at a time.
    pub source: Field,
    /// Publication date, days since 1970-01-01.
    pub created: Field,
    /// Last update, days since 1970-01-01.
    pub updated: Field,
    /// A project's first day, days since 1970-01-01.
    pub start: Field,
    /// A project's last day, days since 1970-01-01.
    pub end: Field,
    /// The title's collation key ([`collation_key`]), a string fast field: sorting by title
    /// compares its term ordinals within a segment and the keys themselves across segments.
    pub title_key: Field,
    /// Ids of the documents this one links to, so links can be followed backwards.
    pub links: Field,
    /// Holds nothing: its tokenizer counts the documents the writer's threads have taken up,
    /// so that a build can keep the writer's queue short (see `index/pipeline.rs`).
    pub pipeline: Field,
    /// The language of each of the document's text fields, one byte each in the order of
    /// [`Document::strings`], so hits are highlighted without detecting it again.
    pub field_languages: Field,
    facets: Vec<(FacetField, Field)>,
    text: Vec<(Language, TextFields)>,
    schema: Schema,
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let source = b.add_text_field("source", STORED);
        let created = b.add_i64_field("created", INDEXED | FAST);
        let updated = b.add_i64_field("updated", INDEXED | FAST);
        let title_key = b.add_text_field("title_key", TextOptions::default().set_fast("raw"));
        let start = b.add_i64_field("start", INDEXED | FAST);
        let end = b.add_i64_field("end", INDEXED | FAST);
        let links = b.add_text_field("links", STRING);
        let field_languages = b.add_bytes_field("field_languages", STORED);
        let pipeline = b.add_text_field(
            "pipeline",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(super::pipeline::TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let facets = FacetField::ALL
            .iter()
            .map(|&f| (f, b.add_text_field(f.name(), STRING | FAST)))
            .collect();
        let text = Language::ALL
            .iter()
            .map(|&lang| {
                let mut add = |name: &str, class: Class| {
                    let record = match class {
                        // Phrases are looked up in the whole-word and folded fields only.
                        Class::Pairs | Class::Parts => IndexRecordOption::WithFreqs,
                        _ => IndexRecordOption::WithFreqsAndPositions,
                    };
                    let options = TextOptions::default().set_indexing_options(
                        TextFieldIndexing::default()
                            .set_tokenizer(&analyzer_name(lang, class))
                            .set_index_option(record),
                    );
                    b.add_text_field(&format!("{name}_{}", lang.code()), options)
                };
                (
                    lang,
                    TextFields {
                        title: add("title", Class::Main),
                        summary: add("summary", Class::Main),
                        body: add("body", Class::Main),
                        parts: add("parts", Class::Parts),
                        folded: add("folded", Class::Folded),
                        pairs: add("pairs", Class::Pairs),
                    },
                )
            })
            .collect();
        Fields {
            id,
            source,
            created,
            updated,
            title_key,
            links,
            pipeline,
            field_languages,
            start,
            end,
            facets,
            text,
            schema: b.build(),
        }
    }

    /// The Tantivy schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The field of a facet.
    pub fn facet(&self, facet: FacetField) -> Field {
        self.facets
            .iter()
            .find(|(f, _)| *f == facet)
            .expect("every facet has a field")
            .1
    }

    /// The text fields of a language.
    pub fn text(&self, lang: Language) -> TextFields {
        self.text
            .iter()
            .find(|(l, _)| *l == lang)
            .expect("every language has text fields")
            .1
    }

    /// Maps a document onto index fields.
    pub fn to_tantivy(&self, doc: &Document) -> TantivyDocument {
        let mut t = TantivyDocument::new();
        let c = &doc.common;
        t.add_text(self.id, doc.id().as_str());
        t.add_text(self.source, doc.to_stored());
        t.add_i64(self.created, days(c.created_at));
        t.add_i64(self.updated, days(c.updated_at));
        t.add_text(self.title_key, collation_key(&c.title));
        if let Details::Project(p) = &doc.details {
            t.add_i64(self.start, days(p.start_date));
            if let Some(end) = p.end_date {
                t.add_i64(self.end, days(end));
            }
        }
        for (_, linked) in doc.links() {
            t.add_text(self.links, linked.as_str());
        }
        // Each field goes to the fields of the language it is written in, which is usually
        // the document's: a Finnish practice with a Swedish summary gets Swedish analysis there.
        let lang = doc.language();
        let mut languages = Vec::new();
        for (name, value) in doc.strings() {
            let in_lang = field_language(lang, value);
            languages.push(in_lang as u8);
            let text = self.text(in_lang);
            let field = match name {
                "title" => text.title,
                "summary" => text.summary,
                _ => text.body,
            };
            t.add_text(field, value);
            t.add_text(text.parts, value);
            t.add_text(text.folded, value);
            t.add_text(text.pairs, value);
        }
        t.add_bytes(self.field_languages, &languages);
        t.add_text(self.pipeline, "-");
        for (facet, value) in facet_values(doc) {
            t.add_text(self.facet(facet), value);
        }
        t
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// A date a search can be limited by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    /// When the description was published.
    Created,
    /// When it was last changed.
    Updated,
    /// A project's first day.
    Start,
    /// A project's last day.
    End,
}

impl DateField {
    /// Every date field with its query-parameter stem.
    pub const ALL: [(DateField, &'static str); 4] = [
        (DateField::Created, "created"),
        (DateField::Updated, "updated"),
        (DateField::Start, "start"),
        (DateField::End, "end"),
    ];
}

impl Fields {
    /// The index field of a date.
    pub fn date(&self, date: DateField) -> Field {
        match date {
            DateField::Created => self.created,
            DateField::Updated => self.updated,
            DateField::Start => self.start,
            DateField::End => self.end,
        }
    }
}

/// A sort key for titles in Finnish and Swedish alphabetical order, compared byte by byte:
/// word by word (a space before any letter, so "Verkosto" before "Verkosto Kainuussa" before
/// "Verkostot"), digits, then a–z, then å, ä, ö; case, punctuation and other accents ignored.
/// The whole title counts: titles that share a long beginning still sort by what follows.
pub fn collation_key(title: &str) -> String {
    let mut key = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let code = match c {
            '0'..='9' | 'a'..='z' => c,
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            'ü' => 'y',
            c if c.is_alphabetic() => crate::analysis::fold(&c.to_string())
                .chars()
                .next()
                .filter(char::is_ascii_lowercase)
                .unwrap_or('~'),
            _ => {
                gap = true;
                continue;
            }
        };
        if gap && !key.is_empty() {
            key.push(' ');
        }
        gap = false;
        key.push(code);
    }
    key
}

/// Days since 1970-01-01: how dates are indexed, for ranges and sorting.
pub fn days(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// Every facet value of a document.
pub fn facet_values(doc: &Document) -> Vec<(FacetField, String)> {
    let c = &doc.common;
    let mut out = vec![
        (FacetField::Kind, doc.kind().id().to_owned()),
        (FacetField::Language, doc.language().code().to_owned()),
    ];
    out.extend(
        c.regions
            .iter()
            .map(|r| (FacetField::Region, r.id().to_owned())),
    );
    out.extend(
        c.themes
            .iter()
            .map(|t| (FacetField::Theme, t.id().to_owned())),
    );
    out.extend(
        c.target_groups
            .iter()
            .map(|t| (FacetField::TargetGroup, t.id().to_owned())),
    );
    out.extend(
        c.organisations
            .iter()
            .map(|o| (FacetField::Organisation, o.trim().to_owned())),
    );
    if let Some(phase) = doc.phase() {
        out.push((FacetField::Phase, phase.id().to_owned()));
    }
    let years = match &doc.details {
        Details::Project(p) => {
            if let Some(programme) = &p.programme {
                out.push((FacetField::Programme, programme.trim().to_owned()));
            }
            let end = p.end_date.map_or(p.start_date.year(), |e| e.year());
            (p.start_date.year()..=end.max(p.start_date.year())).collect()
        }
        _ => vec![c.created_at.year()],
    };
    out.extend(years.into_iter().map(|y| (FacetField::Year, y.to_string())));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::collation_key;

    #[test]
    fn titles_sharing_a_long_beginning_sort_by_what_follows() {
        let mut titles = [
            "Sosiaalityön kehittäjäverkostot",
            "Sosiaalityön kehittäjäverkosto Kymenlaaksossa",
            "Sosiaalityön kehittäjäverkosto Östra Nyland",
            "Sosiaalityön kehittäjäverkosto",
            "Sosiaalityön kehittäjäverkosto Åboland",
            "Sosiaalityön kehittäjäverkosto Äänekoski",
            "Sosiaalityön kehittäjäverkosto Kainuu",
        ];
        titles.sort_by_key(|t| collation_key(t));
        assert_eq!(
            titles,
            [
                "Sosiaalityön kehittäjäverkosto",
                "Sosiaalityön kehittäjäverkosto Kainuu",
                "Sosiaalityön kehittäjäverkosto Kymenlaaksossa",
                "Sosiaalityön kehittäjäverkosto Åboland",
                "Sosiaalityön kehittäjäverkosto Äänekoski",
                "Sosiaalityön kehittäjäverkosto Östra Nyland",
                "Sosiaalityön kehittäjäverkostot",
            ]
        );
    }

    #[test]
    fn titles_sort_in_finnish_and_swedish_order() {
        let mut titles = [
            "Öljy", "Ääni", "Åland", "zeta", "Auto", "auki", "Ähky", "2024", "Östra", "Vanhus",
        ];
        titles.sort_by_key(|t| collation_key(t));
        assert_eq!(
            titles,
            [
                "2024", "auki", "Auto", "Vanhus", "zeta", "Åland", "Ähky", "Ääni", "Öljy", "Östra"
            ]
        );
    }
}
