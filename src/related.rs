//! The taxonomies of a [`Site`] -> each report's related reports: up to [`RELATED`] that
//! share the most tickers, impact areas and tags, a rarer term counting more, newest
//! first on ties (issue 12).
//!
//! Computed through the term indexes, never by comparing every pair, and exactly (a
//! brute-force reference in the tests checks the ranking), in the manner of the
//! "max-score" top-k search of text retrieval:
//!
//! 1. A report's terms are taken rarest (heaviest) first; each term's reports add its
//!    weight to their sums in a dense array. The best four partial sums so far are kept
//!    on the side.
//! 2. A report the walk has not touched yet can only get the weight of the terms not
//!    walked yet. Once the fourth-best partial sum is above that rest, no such report can
//!    make the list, and the walk stops: the long lists of the common terms (an impact
//!    area is in thousands of reports, and weighs little) are mostly never walked.
//! 3. The reports touched are then finished, each adding the weights of the rest terms it
//!    has (a look-up per term of its own short, sorted list), but only those whose
//!    partial sum plus the whole rest can still beat the fourth of the list so far.

use rayon::prelude::*;

use crate::routes::Taxonomy;
use crate::site::TermEntry;

/// How many related reports a report lists.
pub(crate) const RELATED: usize = 4;

/// The taxonomies whose shared terms make reports related.
const SHARED: [Taxonomy; 3] = [Taxonomy::Tickers, Taxonomy::Impact, Taxonomy::Tags];

/// One term's reports (ids, ascending) and its weight.
struct Posting {
    ids: Vec<u32>,
    weight: u32,
}

/// The terms of every report, rarest first (indexes into the postings, which are sorted
/// rarest first), in one array.
struct TermLists {
    starts: Vec<usize>,
    terms: Vec<u32>,
}

impl TermLists {
    fn new(n: usize, postings: &[Posting]) -> TermLists {
        let mut starts = vec![0; n + 1];
        for p in postings {
            for &id in &p.ids {
                starts[id as usize + 1] += 1;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut terms = vec![0; starts[n]];
        for (t, p) in postings.iter().enumerate() {
            for &id in &p.ids {
                terms[next[id as usize]] = t as u32;
                next[id as usize] += 1;
            }
        }
        TermLists { starts, terms }
    }

    fn of(&self, id: usize) -> &[u32] {
        &self.terms[self.starts[id]..self.starts[id + 1]]
    }
}

/// Each report's related reports (ids into `Site::reports`, best first), aligned with
/// the reports. `n` is the number of reports; `terms` the taxonomies of the site.
pub(crate) fn related_reports<'a>(n: usize, terms: impl Fn(Taxonomy) -> Vec<&'a TermEntry>) -> Vec<Vec<usize>> {
    let postings = postings(n, &terms);
    let lists = TermLists::new(n, &postings);
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch {
                acc: vec![0; n],
                touched: Vec::new(),
                rest: vec![0; postings.len()],
            },
            |scratch, id| scratch.rank(id, &lists, &postings),
        )
        .collect()
}

/// The terms shared by at least two reports, with their weights: `1 + 1000 ln(n / df)`
/// rounded, in whole numbers so that sums, and so ties, are exact. Rarest first.
fn postings<'a>(n: usize, terms: &impl Fn(Taxonomy) -> Vec<&'a TermEntry>) -> Vec<Posting> {
    let mut postings = Vec::new();
    for taxonomy in SHARED {
        for t in terms(taxonomy) {
            if t.reports.len() < 2 {
                continue;
            }
            let mut ids: Vec<u32> = t.reports.iter().filter_map(|&i| u32::try_from(i).ok()).collect();
            // An impact area's page orders its reports by score.
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < 2 {
                continue;
            }
            let idf = (n as f64 / ids.len() as f64).ln().max(0.0);
            postings.push(Posting {
                ids,
                weight: 1 + (1000.0 * idf).round() as u32,
            });
        }
    }
    // Stable: terms of equal weight keep the order of the taxonomies.
    postings.sort_by_key(|p| std::cmp::Reverse(p.weight));
    postings
}

/// One worker's scratch: a partial sum per report, the reports touched, and the weight
/// of each term not walked (zero for the others).
struct Scratch {
    acc: Vec<u32>,
    touched: Vec<u32>,
    rest: Vec<u32>,
}

impl Scratch {
    /// The related reports of `id`.
    fn rank(&mut self, id: usize, lists: &TermLists, postings: &[Posting]) -> Vec<usize> {
        let me = id as u32;
        let terms = lists.of(id);
        // The weight of the terms not walked yet.
        let mut left: u64 = terms.iter().map(|&t| u64::from(postings[t as usize].weight)).sum();
        // The best partial sums, each of a distinct report; `floor` is the fourth (a
        // lower bound of the fourth final sum), zero until there are four.
        let mut top: Vec<(u32, u32)> = Vec::with_capacity(RELATED);
        let mut floor = 0;
        let mut walked = 0;
        for &t in terms {
            let p = &postings[t as usize];
            for &other in &p.ids {
                if other == me {
                    continue;
                }
                let slot = &mut self.acc[other as usize];
                if *slot == 0 {
                    self.touched.push(other);
                }
                *slot = slot.saturating_add(p.weight);
                if *slot > floor {
                    floor = raise(&mut top, (*slot, other));
                }
            }
            walked += 1;
            left -= u64::from(p.weight);
            if top.len() == RELATED && u64::from(floor) > left {
                break;
            }
        }
        let rest = &terms[walked..];
        for &t in rest {
            self.rest[t as usize] = postings[t as usize].weight;
        }
        let first_rest = rest.first().copied().unwrap_or(u32::MAX);
        let mut best: Vec<(u32, u32)> = Vec::with_capacity(RELATED + 1);
        let rest_weight = Rest {
            left,
            first: first_rest,
            weights: &self.rest,
        };
        // The best partial sums first, so that the bound prunes the most.
        let mut cut = 0;
        for &(_, other) in &top {
            let partial = std::mem::take(&mut self.acc[other as usize]);
            cut = rest_weight.finish(&mut best, (partial, other), lists);
        }
        // A report is finished only when its partial sum plus the whole rest reaches the
        // fourth so far (a tie may still win on age: `finish` decides).
        for &other in &self.touched {
            let partial = std::mem::take(&mut self.acc[other as usize]);
            if partial != 0 && u64::from(partial) + left >= cut {
                cut = rest_weight.finish(&mut best, (partial, other), lists);
            }
        }
        self.touched.clear();
        for &t in rest {
            self.rest[t as usize] = 0;
        }
        best.into_iter().map(|(_, other)| other as usize).collect()
    }
}

/// The terms of a report not walked: their total weight, the lowest index among them,
/// and each term's weight if it is one of them (else zero).
struct Rest<'a> {
    left: u64,
    first: u32,
    weights: &'a [u32],
}

impl Rest<'_> {
    /// Adds the rest terms `other` has to its partial sum and keeps it among `best`
    /// (unless even the whole rest could not make it beat the fourth); returns the sum
    /// a report must reach from now on (zero while `best` has fewer than four).
    fn finish(&self, best: &mut Vec<(u32, u32)>, (partial, other): (u32, u32), lists: &TermLists) -> u64 {
        let bound = u32::try_from(u64::from(partial) + self.left).unwrap_or(u32::MAX);
        if best.len() < RELATED || best.last().is_some_and(|last| better(&(bound, other), last)) {
            let mut sum = partial;
            if self.left > 0 {
                // The rest terms have the highest indexes: the report's own past the
                // first one below them add nothing.
                for &t in lists.of(other as usize).iter().rev() {
                    if t < self.first {
                        break;
                    }
                    sum = sum.saturating_add(self.weights[t as usize]);
                }
            }
            keep(best, (sum, other));
        }
        match best.get(RELATED - 1) {
            Some(last) => u64::from(last.0),
            None => 0,
        }
    }
}

/// Puts `key` (a partial sum and its report) among the best [`RELATED`] partial sums of
/// distinct reports; returns the fourth of them (zero while fewer).
fn raise(top: &mut Vec<(u32, u32)>, key: (u32, u32)) -> u32 {
    if let Some(slot) = top.iter_mut().find(|k| k.1 == key.1) {
        slot.0 = key.0;
    } else if top.len() < RELATED {
        top.push(key);
    } else if let Some(low) = top.iter_mut().min_by_key(|k| k.0) {
        *low = key;
    }
    if top.len() < RELATED {
        0
    } else {
        top.iter().map(|k| k.0).min().unwrap_or(0)
    }
}

/// Whether `a` ranks before `b`: the higher sum, then the newer (the lower id).
fn better(a: &(u32, u32), b: &(u32, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// Keeps `key` among the best [`RELATED`], best first.
fn keep(best: &mut Vec<(u32, u32)>, key: (u32, u32)) {
    if best.len() < RELATED || best.last().is_some_and(|last| better(&key, last)) {
        let at = best.iter().position(|b| better(&key, b)).unwrap_or(best.len());
        best.insert(at, key);
        best.truncate(RELATED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(slug: &str, reports: &[usize]) -> TermEntry {
        TermEntry {
            name: slug.into(),
            slug: slug.into(),
            reports: reports.to_vec(),
        }
    }

    fn related(n: usize, tags: &[TermEntry], tickers: &[TermEntry]) -> Vec<Vec<usize>> {
        related_reports(n, |tx| match tx {
            Taxonomy::Tags => tags.iter().collect(),
            Taxonomy::Tickers => tickers.iter().collect(),
            _ => Vec::new(),
        })
    }

    #[test]
    fn a_rare_shared_term_outranks_a_common_one() {
        // 0 and 1 share a rare ticker; 0 and 2 share a tag every report but 3 has.
        let tags = [entry("common", &[0, 1, 2, 4, 5])];
        let tickers = [entry("rare", &[0, 3])];
        let r = related(6, &tags, &tickers);
        assert_eq!(r[0], vec![3, 1, 2, 4]);
    }

    #[test]
    fn ties_go_to_the_newest_and_a_report_is_not_its_own_relation() {
        let tags = [entry("a", &[5, 1, 3, 0, 2, 4])];
        let r = related(6, &tags, &[]);
        assert_eq!(r[0], vec![1, 2, 3, 4]);
        assert_eq!(r[4], vec![0, 1, 2, 3]);
    }

    #[test]
    fn more_shared_terms_rank_higher_and_unrelated_reports_have_none() {
        let tags = [entry("a", &[0, 1, 2]), entry("b", &[0, 2])];
        let r = related(4, &tags, &[]);
        assert_eq!(r[0], vec![2, 1]);
        assert!(r[3].is_empty());
    }

    /// A small xorshift generator, so that the cases are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, m: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % m as u64) as usize
        }
    }

    /// `count` terms; each of `n` reports takes about `per` of them, low numbers the most
    /// often when `skew`.
    fn random_terms(rng: &mut Rng, prefix: &str, n: usize, count: usize, per: usize, skew: bool) -> Vec<TermEntry> {
        let mut terms: Vec<TermEntry> = (0..count).map(|t| entry(&format!("{prefix}{t}"), &[])).collect();
        for id in 0..n {
            for _ in 0..per {
                let t = if skew {
                    rng.below(count).min(rng.below(count)).min(rng.below(count))
                } else {
                    rng.below(count)
                };
                if terms[t].reports.last() != Some(&id) {
                    terms[t].reports.push(id);
                }
            }
        }
        terms
    }

    /// Checks the related reports of every report against every pair, by the rule: the
    /// sum of the weights of the shared terms, the highest first, then the newest.
    fn assert_is_every_pair(n: usize, tags: &[TermEntry], tickers: &[TermEntry]) {
        let fast = related(n, tags, tickers);
        let postings = postings(n, &|tx| match tx {
            Taxonomy::Tags => tags.iter().collect(),
            Taxonomy::Tickers => tickers.iter().collect(),
            _ => Vec::new(),
        });
        let of: Vec<Vec<usize>> = (0..n)
            .map(|id| {
                (0..postings.len())
                    .filter(|&t| postings[t].ids.binary_search(&(id as u32)).is_ok())
                    .collect()
            })
            .collect();
        for id in 0..n {
            // The weights of the terms both lists (ascending) have.
            let score = |other: usize| -> u64 {
                let (a, b) = (&of[id], &of[other]);
                let (mut i, mut j, mut sum) = (0, 0, 0);
                while i < a.len() && j < b.len() {
                    match a[i].cmp(&b[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            sum += u64::from(postings[a[i]].weight);
                            i += 1;
                            j += 1;
                        }
                    }
                }
                sum
            };
            let mut all: Vec<(u64, usize)> = (0..n)
                .filter(|&o| o != id)
                .map(|o| (score(o), o))
                .filter(|s| s.0 > 0)
                .collect();
            all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let slow: Vec<usize> = all.into_iter().take(RELATED).map(|(_, o)| o).collect();
            assert_eq!(fast[id], slow, "report {id}");
        }
    }

    #[test]
    fn the_ranking_is_the_ranking_of_every_pair() {
        // Many reports, a few very common terms and many rare ones, as on a large site.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let n = 1500;
        let tags = random_terms(&mut rng, "t", n, 120, 4, true);
        let tickers = random_terms(&mut rng, "s", n, 300, 3, true);
        assert_is_every_pair(n, &tags, &tickers);
    }

    #[test]
    fn the_ranking_is_the_ranking_of_every_pair_with_many_ties() {
        // Few terms, all about as common: many reports have the same sums.
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let n = 600;
        let tags = random_terms(&mut rng, "t", n, 6, 2, false);
        let tickers = random_terms(&mut rng, "s", n, 4, 1, false);
        assert_is_every_pair(n, &tags, &tickers);
        // And a site where every report has the same terms.
        let same = [
            entry("a", &(0..50).collect::<Vec<_>>()),
            entry("b", &(0..50).collect::<Vec<_>>()),
        ];
        assert_is_every_pair(50, &same, &[]);
    }

    #[test]
    fn the_ranking_is_the_ranking_of_every_pair_when_rare_terms_decide() {
        // Areas-like terms in a third of the reports each, and many rare tickers.
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let n = 1200;
        let tags = random_terms(&mut rng, "t", n, 12, 4, false);
        let tickers = random_terms(&mut rng, "s", n, 900, 3, false);
        assert_is_every_pair(n, &tags, &tickers);
    }

    #[test]
    fn no_reports_and_no_terms() {
        assert!(related(0, &[], &[]).is_empty());
        assert_eq!(related(3, &[], &[]), vec![Vec::<usize>::new(); 3]);
        // A term one report lists twice, and no other.
        assert_eq!(related(2, &[entry("a", &[1, 1])], &[]), vec![Vec::<usize>::new(); 2]);
    }
}
