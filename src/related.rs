//! The taxonomies of a [`Site`] -> each report's related reports: up to [`RELATED`] that
//! share the most tickers, impact areas and tags, a rarer term counting more, newest
//! first on ties (issue 12).
//!
//! Computed through the term indexes, never by comparing every pair: for each report,
//! the reports of each of its terms add that term's weight into one dense array, and
//! the reports touched are ranked. When its terms' lists are long (impact areas are in
//! thousands of reports), the whole array is scanned instead of a list of those touched:
//! a sequential pass costs less than noting each first touch.

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

/// Each report's related reports (ids into `Site::reports`, best first), aligned with
/// the reports. `n` is the number of reports; `terms` the taxonomies of the site.
pub(crate) fn related_reports<'a>(n: usize, terms: impl Fn(Taxonomy) -> Vec<&'a TermEntry>) -> Vec<Vec<usize>> {
    let postings = postings(n, &terms);
    // Each report's terms (indexes into `postings`).
    let mut of: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (t, p) in postings.iter().enumerate() {
        for &id in &p.ids {
            of[id as usize].push(t as u32);
        }
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch {
                acc: vec![0; n],
                touched: Vec::new(),
            },
            |scratch, id| scratch.rank(id, &of[id], &postings),
        )
        .collect()
}

/// The terms shared by at least two reports, with their weights: `1 + 1000 ln(n / df)`
/// rounded, in whole numbers so that sums, and so ties, are exact.
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
            let idf = (n as f64 / ids.len() as f64).ln().max(0.0);
            postings.push(Posting {
                ids,
                weight: 1 + (1000.0 * idf).round() as u32,
            });
        }
    }
    postings
}

/// One worker's sums: a slot per report, and which slots are in use (when not the
/// whole array).
struct Scratch {
    acc: Vec<u32>,
    touched: Vec<u32>,
}

impl Scratch {
    /// The related reports of `id`, whose terms are `terms`.
    fn rank(&mut self, id: usize, terms: &[u32], postings: &[Posting]) -> Vec<usize> {
        let n = self.acc.len();
        let walked: usize = terms.iter().map(|&t| postings[t as usize].ids.len()).sum();
        let mut best: Vec<(u32, u32)> = Vec::with_capacity(RELATED + 1);
        if walked * 4 > n {
            for &t in terms {
                let p = &postings[t as usize];
                for &other in &p.ids {
                    let slot = &mut self.acc[other as usize];
                    *slot = slot.saturating_add(p.weight);
                }
            }
            for other in 0..n {
                let score = std::mem::take(&mut self.acc[other]);
                if score > 0 && other != id {
                    keep(&mut best, (score, other as u32));
                }
            }
        } else {
            for &t in terms {
                let p = &postings[t as usize];
                for &other in &p.ids {
                    let slot = &mut self.acc[other as usize];
                    if *slot == 0 {
                        self.touched.push(other);
                    }
                    *slot = slot.saturating_add(p.weight);
                }
            }
            for &other in &self.touched {
                let score = std::mem::take(&mut self.acc[other as usize]);
                if other as usize != id {
                    keep(&mut best, (score, other));
                }
            }
            self.touched.clear();
        }
        best.into_iter().map(|(_, other)| other as usize).collect()
    }
}

/// Keeps `key` among the best [`RELATED`], best first: the highest sum, then the newest
/// (the lowest id).
fn keep(best: &mut Vec<(u32, u32)>, key: (u32, u32)) {
    let better = |a: &(u32, u32), b: &(u32, u32)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
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

    #[test]
    fn the_ranking_is_the_ranking_of_every_pair() {
        // Many reports, a few very common terms and many rare ones, as on a large site.
        let n = 2000;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        let mut tags: Vec<TermEntry> = (0..120).map(|t| entry(&format!("t{t}"), &[])).collect();
        for id in 0..n {
            for _ in 0..4 {
                // Zipf-like: low term numbers are common.
                let t = next(120).min(next(120)).min(next(120));
                if tags[t].reports.last() != Some(&id) {
                    tags[t].reports.push(id);
                }
            }
        }
        let fast = related(n, &tags, &[]);
        let postings = postings(n, &|tx| {
            if tx == Taxonomy::Tags {
                tags.iter().collect()
            } else {
                Vec::new()
            }
        });
        for id in (0..n).step_by(31) {
            let score = |other: usize| -> u64 {
                postings
                    .iter()
                    .filter(|p| {
                        p.ids.binary_search(&(id as u32)).is_ok() && p.ids.binary_search(&(other as u32)).is_ok()
                    })
                    .map(|p| u64::from(p.weight))
                    .sum()
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
}
