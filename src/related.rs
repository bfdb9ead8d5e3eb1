//! The taxonomies of a [`Site`] -> each report's related reports: up to [`RELATED`] that
//! share the most tickers, impact areas and tags, a rarer term counting more, newest
//! first on ties (issue 12).
//!
//! A shared term weighs `ln(N / df)²`, what it adds to the dot product of two reports'
//! tf-idf vectors: a ticker five reports have weighs about six times an impact area a
//! third of them have.
//!
//! Computed through the term indexes, never by comparing every pair, and exactly (a
//! brute-force reference in the tests checks the ranking), in the manner of the
//! "max-score" top-k search of text retrieval:
//!
//! 1. A report's terms are taken rarest (heaviest) first; each term's reports add its
//!    weight to their sums in a dense array. The reports touched are listed while they
//!    are few (an eighth of the site); after that the walk only adds.
//! 2. After a term, while the touched reports are listed and fewer than the next term's,
//!    the few best partial sums are scored exactly: the fourth of those exact sums
//!    (`theta`) is a floor under the fourth of the final list.
//! 3. A report the walk has not touched can only get the weight of the terms not walked
//!    (`left`). Once that is below `theta` no such report can make the list and the walk
//!    stops: the long lists of the common terms are mostly never walked.
//! 4. The touched reports whose partial sum plus `left` reaches the list's fourth so far
//!    (`cut`) are finished: the listed ones first (those of the rarest terms, the likeliest
//!    to rank, so `cut` rises early), then, if the list stopped, the whole array in blocks
//!    of 32, a block skipped at the cost of one comparison when no sum in it can rank.
//!    Finishing adds the weights of the terms not walked that a report has, a byte at a
//!    time from a bitmask of the site's 256 commonest terms through a table of what each
//!    byte adds (the terms not walked are nearly always among them; others are looked up
//!    in the report's own short list), and gives up as soon as the terms still to add
//!    cannot lift the sum to `cut`.

use rayon::prelude::*;

use crate::routes::Taxonomy;
use crate::site::TermEntry;

/// How many related reports a report lists.
pub(crate) const RELATED: usize = 4;

/// The taxonomies whose shared terms make reports related.
const SHARED: [Taxonomy; 3] = [Taxonomy::Tickers, Taxonomy::Impact, Taxonomy::Tags];

/// How many of the best partial sums are scored exactly to raise `theta`.
const POOL: usize = 8;

/// The most a report's terms weigh together: sums, and a report's own slot
/// ([`OWN`]) plus a sum, stay below `u32::MAX`.
const HEAVIEST: u64 = (u32::MAX / 8) as u64;

/// What a report's own slot holds while its terms are walked: never zero, so never
/// counted as touched.
const OWN: u32 = u32::MAX / 2;

/// The touched reports are listed while at most one in this many reports.
const LISTED: usize = 8;

/// Reports per block of the scan of every sum.
const CHUNK: usize = 32;

/// Words of the bitmask of the commonest terms (64 terms each).
const WORDS: usize = 4;
const BYTES: usize = 8 * WORDS;

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

/// The commonest terms (those from index `first` on) as a bitmask per report, and their
/// weights by bit.
struct Common {
    first: u32,
    masks: Vec<[u8; BYTES]>,
    weights: Vec<u32>,
}

impl Common {
    fn new(n: usize, lists: &TermLists, postings: &[Posting], count: usize) -> Common {
        let first = postings.len().saturating_sub(count.min(64 * WORDS));
        let masks = (0..n)
            .map(|id| {
                let mut mask = [0; BYTES];
                for &t in lists.of(id) {
                    if let Some(bit) = (t as usize).checked_sub(first) {
                        mask[bit / 8] |= 1 << (bit % 8);
                    }
                }
                mask
            })
            .collect();
        Common {
            first: first as u32,
            masks,
            weights: postings[first..].iter().map(|p| p.weight).collect(),
        }
    }
}

/// Each report's related reports (ids into `Site::reports`, best first), aligned with
/// the reports. `n` is the number of reports; `terms` the taxonomies of the site.
pub(crate) fn related_reports<'a>(n: usize, terms: impl Fn(Taxonomy) -> Vec<&'a TermEntry>) -> Vec<Vec<usize>> {
    rank_all(n, &postings(n, &terms), 64 * WORDS)
}

/// [`related_reports`] with the `common` commonest terms in the bitmask.
fn rank_all(n: usize, postings: &[Posting], common: usize) -> Vec<Vec<usize>> {
    let lists = TermLists::new(n, postings);
    let common = Common::new(n, &lists, postings, common);
    let site = Ranking {
        lists: &lists,
        postings,
        common: &common,
    };
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch {
                // Whole blocks for the scan of every sum.
                acc: vec![0; n.div_ceil(CHUNK) * CHUNK],
                touched: vec![0; n + 1],
                rest: vec![0; postings.len()],
                bytes: Vec::new(),
                tables: Vec::new(),
            },
            |scratch, id| scratch.rank(id, &site),
        )
        .collect()
}

/// The terms shared by at least two reports, with their weights: `1 + 1000 ln(n / df)²`
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
                weight: 1 + (1000.0 * idf * idf).round() as u32,
            });
        }
    }
    // Sums add without overflow checks: should a report's terms together weigh more than
    // `HEAVIEST`, every weight is scaled down (only on sites of many thousand terms a report).
    let mut totals = vec![0u64; n];
    for p in &postings {
        for &id in &p.ids {
            totals[id as usize] += u64::from(p.weight);
        }
    }
    let most = totals.into_iter().max().unwrap_or(0);
    if most > HEAVIEST {
        for p in &mut postings {
            p.weight = (u64::from(p.weight) * HEAVIEST / most).max(1) as u32;
        }
    }
    // Stable: terms of equal weight keep the order of the taxonomies.
    postings.sort_by_key(|p| std::cmp::Reverse(p.weight));
    postings
}

/// What every report's ranking reads.
struct Ranking<'a> {
    lists: &'a TermLists,
    postings: &'a [Posting],
    common: &'a Common,
}

impl Ranking<'_> {
    /// The sum of the weights of the terms both reports have (their lists ascend).
    fn shared(&self, a: &[u32], b: usize) -> u32 {
        let b = self.lists.of(b);
        let (mut i, mut j, mut sum) = (0, 0, 0u32);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            if x == y {
                sum = sum.saturating_add(self.postings[x as usize].weight);
            }
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        sum
    }
}

/// One worker's scratch: a partial sum per report (zero when untouched), the reports
/// touched (the first `len`, while they are listed), the weight of each term not walked
/// that is not in the bitmask (zero for the others), and the bytes of the bitmask that
/// hold terms not walked (index, those terms' bits, and the weight of the terms not
/// walked from that byte on) with what each value of each adds.
struct Scratch {
    acc: Vec<u32>,
    touched: Vec<u32>,
    rest: Vec<u32>,
    bytes: Vec<(usize, u8, u64)>,
    tables: Vec<[u32; 256]>,
}

impl Scratch {
    /// The related reports of `id`.
    fn rank(&mut self, id: usize, site: &Ranking) -> Vec<usize> {
        let (postings, common) = (site.postings, site.common);
        let terms = site.lists.of(id);
        let n = site.lists.starts.len() - 1;
        let mut theta: u64 = 0;
        let mut left: u64 = terms.iter().map(|&t| u64::from(postings[t as usize].weight)).sum();
        let mut walked = 0;
        // While `listed`, the first `len` of `touched` are the reports touched.
        let mut listed = true;
        let mut len = 0;
        // How many were touched when the floor was last raised.
        let mut floored = 0;
        self.acc[id] = OWN;
        while walked < terms.len() && left >= theta {
            let p = &postings[terms[walked] as usize];
            listed = listed && len + p.ids.len() <= n / LISTED;
            if listed {
                len = walk(&mut self.acc, &mut self.touched, len, p);
            } else {
                add(&mut self.acc, p);
            }
            walked += 1;
            left -= u64::from(p.weight);
            let next = terms.get(walked).map_or(0, |&t| postings[t as usize].ids.len());
            // At most once per doubling of the touched reports, so that a report of very
            // many terms is not scored again after each.
            if listed && left >= theta && len <= next && len >= 2 * floored {
                theta = theta.max(self.floor(terms, &self.touched[..len], site));
                floored = len.max(1);
            }
        }
        self.acc[id] = 0;
        let rest = &terms[walked..];
        let mut rest_mask = [0u8; BYTES];
        for &t in rest {
            let weight = postings[t as usize].weight;
            match t.checked_sub(common.first) {
                Some(bit) => rest_mask[bit as usize / 8] |= 1 << (bit % 8),
                None => self.rest[t as usize] = weight,
            }
        }
        self.tables(&rest_mask, left, common);
        let finish = Finish {
            rest,
            // Whether every term not walked is in the bitmask.
            in_mask: rest.first().is_none_or(|&t| t >= common.first),
            tables: &self.tables,
            bytes: &self.bytes,
            rest_weights: &self.rest,
            site,
        };
        let mut best = Best {
            list: Vec::with_capacity(RELATED + 1),
            cut: theta,
        };
        // The reports listed first: those of the rarest terms, the likeliest to rank, so
        // that `cut` rises early.
        for &other in &self.touched[..len] {
            best.offer(other, std::mem::take(&mut self.acc[other as usize]), left, &finish);
        }
        if !listed {
            for (base, chunk) in (0..).step_by(CHUNK).zip(self.acc.chunks_exact_mut(CHUNK)) {
                let low = best.cut.saturating_sub(left).clamp(1, u64::from(u32::MAX)) as u32;
                if chunk.iter().fold(0, |any, &partial| any | u32::from(partial >= low)) != 0 {
                    for (other, &partial) in (base..).zip(chunk.iter()) {
                        best.offer(other, partial, left, &finish);
                    }
                }
                chunk.fill(0);
            }
        }
        for &t in rest {
            self.rest[t as usize] = 0;
        }
        best.list.into_iter().map(|(_, other)| other as usize).collect()
    }

    /// For each byte of the bitmask that holds terms not walked, what each value of that
    /// byte adds: filled for the subsets of those terms only.
    fn tables(&mut self, rest_mask: &[u8; BYTES], left: u64, common: &Common) {
        self.bytes.clear();
        self.tables.clear();
        let mut after = left;
        for (k, &bits) in rest_mask.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            self.bytes.push((k, bits, after));
            let weight = |bit: u32| common.weights[k * 8 + bit as usize];
            let mut table = [0u32; 256];
            // The subsets of `bits`, ascending: each is a smaller one plus its lowest bit.
            let mut sub = bits & bits.wrapping_neg();
            while sub != 0 {
                let v = usize::from(sub);
                table[v] = table[v & (v - 1)].saturating_add(weight(sub.trailing_zeros()));
                sub = sub.wrapping_sub(bits) & bits;
            }
            // The whole byte's entry: what all its terms not walked weigh.
            after -= u64::from(table[usize::from(bits)]);
            self.tables.push(table);
        }
    }

    /// The fourth of the exact sums of the [`POOL`] best partial sums among `touched`
    /// (zero while fewer than four): a floor under the fourth of the final list.
    fn floor(&self, terms: &[u32], touched: &[u32], site: &Ranking) -> u64 {
        let mut pool: Vec<(u32, u32)> = Vec::with_capacity(POOL + 1);
        let mut low = 0;
        for &other in touched {
            let partial = self.acc[other as usize];
            if partial > low || pool.len() < POOL {
                let at = pool.iter().position(|k| k.0 < partial).unwrap_or(pool.len());
                pool.insert(at, (partial, other));
                pool.truncate(POOL);
                if pool.len() == POOL {
                    low = pool[POOL - 1].0;
                }
            }
        }
        let mut exact: Vec<u32> = pool
            .iter()
            .map(|&(_, other)| site.shared(terms, other as usize))
            .collect();
        exact.sort_unstable_by(|a, b| b.cmp(a));
        exact.get(RELATED - 1).map_or(0, |&s| u64::from(s))
    }
}

/// Adds the weight of `p` to the sums of its reports, noting the reports it touches
/// first after the first `len` of `touched`; returns how many are touched now.
#[inline(never)]
fn walk(acc: &mut [u32], touched: &mut [u32], mut len: usize, p: &Posting) -> usize {
    let weight = p.weight;
    for &other in &p.ids {
        let slot = &mut acc[other as usize];
        touched[len] = other;
        len += usize::from(*slot == 0);
        *slot = slot.wrapping_add(weight);
    }
    len
}

/// Adds the weight of `p` to the sums of its reports.
#[inline(never)]
fn add(acc: &mut [u32], p: &Posting) {
    let weight = p.weight;
    for &other in &p.ids {
        let slot = &mut acc[other as usize];
        *slot = slot.wrapping_add(weight);
    }
}

/// The best reports so far, best first, and the least sum that can still rank.
struct Best {
    list: Vec<(u32, u32)>,
    cut: u64,
}

impl Best {
    /// Ranks `other`, whose sum over the terms walked is `partial`, if it can still rank.
    #[inline(always)]
    fn offer(&mut self, other: u32, partial: u32, left: u64, finish: &Finish) {
        if partial != 0 && u64::from(partial) + left >= self.cut {
            if let Some(sum) = finish.sum(other, partial, self.cut) {
                self.rank(other, sum);
            }
        }
    }

    /// Ranks `other`, whose sum is `sum`.
    #[inline(never)]
    fn rank(&mut self, other: u32, sum: u32) {
        keep(&mut self.list, (sum, other));
        if let Some(last) = self.list.get(RELATED - 1) {
            self.cut = self.cut.max(u64::from(last.0));
        }
    }
}

/// What finishing a report's sum reads: the terms not walked and their weights.
struct Finish<'a> {
    rest: &'a [u32],
    in_mask: bool,
    tables: &'a [[u32; 256]],
    bytes: &'a [(usize, u8, u64)],
    rest_weights: &'a [u32],
    site: &'a Ranking<'a>,
}

impl Finish<'_> {
    /// `partial` plus the weights of the terms not walked that `other` has.
    #[inline(never)]
    fn sum(&self, other: u32, partial: u32, cut: u64) -> Option<u32> {
        let common = self.site.common;
        let mask = &common.masks[other as usize];
        let mut sum = partial;
        for (table, &(k, bits, after)) in self.tables.iter().zip(self.bytes) {
            if u64::from(sum) + after < cut {
                return None;
            }
            sum = sum.saturating_add(table[usize::from(mask[k] & bits)]);
        }
        if !self.in_mask {
            // The report's terms below the bitmask, heaviest last; those not walked
            // come after the first not walked.
            let first = self.rest.first().copied().unwrap_or(u32::MAX);
            let list = self.site.lists.of(other as usize);
            let below = list.partition_point(|&t| t < common.first);
            for &t in list[..below].iter().rev() {
                if t < first {
                    break;
                }
                sum = sum.saturating_add(self.rest_weights[t as usize]);
            }
        }
        Some(sum)
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
        let postings = postings(n, &|tx| match tx {
            Taxonomy::Tags => tags.iter().collect(),
            Taxonomy::Tickers => tickers.iter().collect(),
            _ => Vec::new(),
        });
        // With every term in the bitmask, with only a few (the terms not walked are then
        // often outside it) and with none.
        let fast = related(n, tags, tickers);
        for common in [3, 0] {
            assert_eq!(rank_all(n, &postings, common), fast, "{common} terms in the bitmask");
        }
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
    fn reports_whose_terms_weigh_more_than_a_sum_holds_still_rank() {
        // Reports 0 and 1 share so many rare terms that their weights add up past
        // `u32::MAX`, by less than one term's weight; 0 and 2 share one, 2 and 3 another.
        let n = 1000;
        let a = entry("a", &[0, 2]);
        let one = postings(n, &|_| vec![&a]);
        let many = (1 << 32) / u64::from(one[0].weight) + 1;
        let mut tags: Vec<TermEntry> = (0..many).map(|t| entry(&format!("t{t}"), &[0, 1])).collect();
        tags.push(a);
        tags.push(entry("b", &[2, 3]));
        let r = related(n, &tags, &[]);
        assert_eq!(r[0], vec![1, 2]);
        assert_eq!(r[1], vec![0]);
        assert_eq!(r[2], vec![0, 3]);
        assert_eq!(r[3], vec![2]);
    }

    #[test]
    fn no_reports_and_no_terms() {
        assert!(related(0, &[], &[]).is_empty());
        assert_eq!(related(3, &[], &[]), vec![Vec::<usize>::new(); 3]);
        // A term one report lists twice, and no other.
        assert_eq!(related(2, &[entry("a", &[1, 1])], &[]), vec![Vec::<usize>::new(); 2]);
    }
}
