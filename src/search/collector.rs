//! One pass over the matching documents that yields the top hits, the total and the facet
//! counts together.
//!
//! Facet filters are applied here, per document, from fast fields rather than in the query, so
//! that counts can be *disjunctive*: a document that fails only the filter on facet F still
//! counts towards F's values. That is what faceted search users expect: selecting one region
//! does not hide the counts of the other regions.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::FacetField;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Best score first.
    Relevance,
    /// Most recently updated first; relevance breaks ties.
    Newest,
    /// By title in Finnish/Swedish alphabetical order (å, ä, ö after z).
    Title,
}

/// Facet values selected by the user: values of one facet combine with OR, facets with AND.
pub type Selection = Vec<(FacetField, Vec<String>)>;

/// The collector: see the module documentation.
pub struct SearchCollector {
    /// How many hits to keep (offset + limit).
    pub top_n: usize,
    /// The ordering of hits.
    pub order: Order,
    /// Selected facet values.
    pub selection: Selection,
    /// Name of the fast field holding the update date (days since 1970).
    pub updated_field: &'static str,
    /// Name of the fast field holding the title's collation key.
    pub title_field: &'static str,
    /// Whether to count facets (suggestions need only the top hits).
    pub count_facets: bool,
}

/// The result of a collection.
#[derive(Debug, Default)]
pub struct Collected {
    /// Documents that match the query and every filter.
    pub total: u64,
    /// Best hits first.
    pub top: Vec<Ranked>,
    /// Counts per facet value.
    pub facets: BTreeMap<FacetField, BTreeMap<String, u64>>,
}

/// A hit with what it is ranked by.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    /// What the order ranks by before the score (0 for relevance); greater is better.
    primary: u64,
    /// The relevance score.
    pub score: Score,
    /// Where the document is.
    pub address: DocAddress,
}

impl Ord for Ranked {
    // Greater is better: a higher key, then the earlier document, so equal scores keep a
    // stable order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.primary
            .cmp(&other.primary)
            .then_with(|| self.score.total_cmp(&other.score))
            .then_with(|| other.address.cmp(&self.address))
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}

/// Per-segment state.
pub struct SegmentSearchCollector {
    segment: SegmentOrdinal,
    top_n: usize,
    order: Order,
    updated: Option<Column<i64>>,
    title_key: Option<Column<u64>>,
    columns: Vec<(FacetField, Option<StrColumn>)>,
    /// Per facet in `columns`: the selected ordinals in this segment, if that facet is filtered.
    filters: Vec<Option<Vec<u64>>>,
    counts: Vec<Vec<u64>>,
    /// Whether any facet is filtered on.
    filtered: bool,
    /// Whether facets are counted.
    counting: bool,
    total: u64,
    heap: BinaryHeap<Reverse<Ranked>>,
    /// By relevance, once the heap is full: the score a document must beat to enter it.
    floor: Score,
}

impl Collector for SearchCollector {
    type Fruit = Collected;
    type Child = SegmentSearchCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let mut columns = Vec::new();
        let mut filters = Vec::new();
        let mut counts = Vec::new();
        for facet in FacetField::ALL {
            // Open a facet's column only when it is counted or filtered on: opening costs
            // more than a small query.
            let needed = self.count_facets || self.selection.iter().any(|(f, _)| *f == facet);
            let column = if needed {
                fast.str(facet.name())?
            } else {
                None
            };
            let selected = self
                .selection
                .iter()
                .find(|(f, _)| *f == facet)
                .map(|(_, values)| {
                    let mut ords: Vec<u64> = match &column {
                        Some(c) => values
                            .iter()
                            .filter_map(|v| c.dictionary().term_ord(v).ok().flatten())
                            .collect(),
                        None => Vec::new(),
                    };
                    ords.sort_unstable();
                    ords
                });
            let values = if self.count_facets {
                column.as_ref().map_or(0, |c| c.num_terms())
            } else {
                0
            };
            counts.push(vec![0; values]);
            columns.push((facet, column));
            filters.push(selected);
        }
        let updated = (self.order == Order::Newest)
            .then(|| fast.i64(self.updated_field).ok())
            .flatten();
        let title_key = (self.order == Order::Title)
            .then(|| fast.u64(self.title_field).ok())
            .flatten();
        Ok(SegmentSearchCollector {
            segment,
            top_n: self.top_n,
            order: self.order,
            updated,
            title_key,
            columns,
            filtered: filters.iter().any(Option::is_some),
            filters,
            counts,
            counting: self.count_facets,
            total: 0,
            heap: BinaryHeap::with_capacity(self.top_n + 1),
            floor: Score::NEG_INFINITY,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        let mut ranked = Vec::new();
        for fruit in fruits {
            merged.total += fruit.total;
            ranked.extend(fruit.top);
            for (facet, counts) in fruit.facets {
                let into = merged.facets.entry(facet).or_default();
                for (value, n) in counts {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        ranked.sort_by(|a, b| b.cmp(a));
        ranked.truncate(self.top_n);
        merged.top = ranked;
        Ok(merged)
    }
}

impl SegmentCollector for SegmentSearchCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.tally(doc) {
            self.rank(doc, score);
        }
    }

    fn harvest(self) -> Collected {
        let mut facets = BTreeMap::new();
        for ((facet, column), counts) in self.columns.iter().zip(&self.counts) {
            let Some(column) = column else { continue };
            let mut values = BTreeMap::new();
            let mut buf = String::new();
            for (ord, &n) in counts.iter().enumerate() {
                if n > 0 && column.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                    values.insert(buf.clone(), n);
                }
            }
            facets.insert(*facet, values);
        }
        let top = self.heap.into_iter().map(|Reverse(r)| r).collect();
        Collected {
            total: self.total,
            top,
            facets,
        }
    }
}

/// How a document fares against the facet filters.
enum Filtered {
    Passes,
    /// It fails only the filter of the facet at this index.
    FailsOne(usize),
    FailsMore,
}

impl SegmentSearchCollector {
    /// Counts a matching document towards the total and the facets; true if it passes every
    /// filter and so may be a hit.
    fn tally(&mut self, doc: DocId) -> bool {
        // Most searches neither filter nor count.
        let failed = if self.filtered {
            match self.failed_filter(doc) {
                Filtered::Passes => None,
                Filtered::FailsOne(i) => Some(i),
                Filtered::FailsMore => return false,
            }
        } else {
            None
        };
        match failed {
            // Disjunctive counts: a document failing only facet i's filter counts for i.
            Some(i) => {
                self.count(i, doc);
                false
            }
            None => {
                self.total += 1;
                if self.counting {
                    for i in 0..self.columns.len() {
                        self.count(i, doc);
                    }
                }
                true
            }
        }
    }

    fn failed_filter(&self, doc: DocId) -> Filtered {
        let mut failed = Filtered::Passes;
        for (i, selected) in self.filters.iter().enumerate() {
            let Some(selected) = selected else { continue };
            let passes = self.columns[i]
                .1
                .as_ref()
                .is_some_and(|c| c.term_ords(doc).any(|o| selected.binary_search(&o).is_ok()));
            if !passes {
                if !matches!(failed, Filtered::Passes) {
                    return Filtered::FailsMore;
                }
                failed = Filtered::FailsOne(i);
            }
        }
        failed
    }

    fn count(&mut self, i: usize, doc: DocId) {
        if self.counts[i].is_empty() {
            return; // Not counting facets, or no document has this one.
        }
        if let Some(column) = &self.columns[i].1 {
            for ord in column.term_ords(doc) {
                self.counts[i][ord as usize] += 1;
            }
        }
    }

    fn rank(&mut self, doc: DocId, score: Score) {
        // Documents come in id order and equal scores keep the earlier one, so by relevance a
        // document no better than the worst kept cannot enter: one comparison for most.
        if score <= self.floor || self.top_n == 0 {
            return;
        }
        let primary = match self.order {
            Order::Relevance => 0,
            // Days since 1970, shifted so that earlier dates still order correctly.
            Order::Newest => {
                let days = self
                    .updated
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .unwrap_or(0);
                (days + (1 << 40)).max(0) as u64
            }
            // Ascending: the smallest collation key is the best.
            Order::Title => {
                u64::MAX
                    - self
                        .title_key
                        .as_ref()
                        .and_then(|c| c.first(doc))
                        .unwrap_or(0)
            }
        };
        let candidate = Ranked {
            primary,
            score,
            address: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.top_n {
            self.heap.push(Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate > worst.0
        {
            *worst = Reverse(candidate);
        }
        if self.order == Order::Relevance
            && self.heap.len() == self.top_n
            && let Some(worst) = self.heap.peek()
        {
            self.floor = worst.0.score;
        }
    }
}
