#!/usr/bin/env python3
"""Bytes a search query downloads from a built impress site, and what it finds.

Replays `themes/default/static/search.js` on a built site's split index (src/search.rs):
the same query parsing, word-part selection (a prefix spread over more than 3 parts falls
back to the whole word), matching, ranking and first page of 20 results, and sums the
gzip -6 sizes of the files the page would fetch for each query: the meta file, the word
parts of the query's words and the document shards of the first page. The meta file is
counted with each query (a first query on a fresh page); search.js and the search page
are reported apart, once.

    python3 bench/search_bytes.py /tmp/corpus10k/public '$TSLA' lith 'central bank'
    python3 bench/search_bytes.py SITE --top 10 --json out.json   # also the top results

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

PAGE = 20
MAX_PREFIX_PARTS = 3
MAX_WORD = 32
STOP = set(
    "an and are as at be but by for from has have in into is it its of on or that the "
    "their this to was were will with than which been also".split()
)
EXTRA = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ħ": "h"}
DEFAULT_QUERIES = ["$TSLA", "TSLA", "supply", "lith", "lithium", "investors", "neodymium", "central bank"]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


class Site:
    def __init__(self, public: Path, meta_rel: str = "search/index.json"):
        self.public = public
        self.meta_path = public / meta_rel
        self.base = self.meta_path.parent
        self.meta = json.loads(self.meta_path.read_text())
        self.tickers = {str(t).lower() for t in self.meta.get("tickers", [])}
        self._json: dict[Path, object] = {}
        self._gz: dict[Path, int] = {}

    def load(self, path: Path):
        if path not in self._json:
            self._json[path] = json.loads(path.read_bytes())
        return self._json[path]

    def gz(self, path: Path) -> int:
        if path not in self._gz:
            self._gz[path] = gz(path.read_bytes())
        return self._gz[path]

    # search.js fold(): NFD, combining marks dropped, lower case, a few letters spelled out.
    @staticmethod
    def fold(s: str) -> str:
        s = unicodedata.normalize("NFD", s)
        s = re.sub("[\u0300-\u036f]", "", s).lower()
        return re.sub("[ßæœøđðþłıħ]", lambda m: EXTRA[m.group(0)], s)

    def parse(self, query: str) -> list[dict]:
        terms = []
        for raw in query.split():
            f = re.sub(r"^[^a-z0-9$]+|[^a-z0-9]+$", "", self.fold(raw))
            if not f:
                continue
            if f[0] == "$" and len(f) > 1:
                terms.append({"ticker": True, "key": "$" + f[1:].lstrip("$")})
                continue
            if f in self.tickers:
                terms.append({"ticker": True, "key": "$" + f})
                continue
            for w in re.findall(r"[a-z0-9]+", f):
                if 2 <= len(w) <= MAX_WORD and w not in STOP:
                    terms.append({"key": w})
        return terms

    def part_of(self, word: str) -> int:
        parts = self.meta["parts"]
        lo, hi = 0, len(parts) - 1
        while lo < hi:
            mid = (lo + hi + 1) >> 1
            if parts[mid] <= word:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def parts_of(self, term: dict) -> list[int]:
        parts = self.meta["parts"]
        frm = self.part_of(term["key"])
        to = frm if term.get("ticker") else self.part_of(term["key"] + "\u007f")
        out = [i for i in range(frm, to + 1) if i == to or parts[i] != parts[i + 1]]
        if len(out) > MAX_PREFIX_PARTS:
            term["whole"] = True
            return [frm]
        return out

    def matches(self, term: dict, loaded: list) -> dict[int, int]:
        found: dict[int, int] = {}
        exact = term.get("ticker") or term.get("whole")
        key = term["key"]
        for part in loaded:
            for word, postings in part:
                if (word != key) if exact else (not word.startswith(key)):
                    continue
                ident = 0
                for k, code in enumerate(str(postings).split(",")):
                    v = int(code, 36)
                    ident = (0 if k == 0 else ident) + v // 4
                    w = v % 4
                    if found.get(ident, -1) < w:
                        found[ident] = w
        return found

    def query(self, q: str, top: int = 10) -> dict:
        fetched = [self.meta_path]
        terms = self.parse(q)
        if not terms:
            return {"query": q, "terms": [], "count": 0, "files": [], "bytes_gz": self.gz(self.meta_path)}
        found = []
        for term in terms:
            paths = [self.base / "words" / f"{p}.json" for p in self.parts_of(term)]
            fetched += paths
            found.append(self.matches(term, [self.load(p) for p in paths]))
        found.sort(key=len)
        ranked = []
        for ident in found[0]:
            score = 0
            for f in found:
                if ident not in f:
                    break
                score += f[ident]
            else:
                ranked.append((ident, score))
        ranked.sort(key=lambda r: (-r[1], r[0]))
        size = self.meta.get("docs") or 1
        page = ranked[:PAGE]
        shards = []
        for ident, _ in page:
            p = self.base / "docs" / f"{ident // size}.json"
            if p not in shards:
                shards.append(p)
        fetched += shards
        results = []
        for ident, score in ranked[:top]:
            doc = self.load(self.base / "docs" / f"{ident // size}.json")[ident % size]
            results.append({"id": ident, "score": score, "title": doc[0], "url": doc[1], "date": doc[2]})
        uniq = list(dict.fromkeys(fetched))
        return {
            "query": q,
            "terms": terms,
            "count": len(ranked),
            "word_parts": sum(1 for p in uniq if p.parent.name == "words"),
            "doc_shards": len(shards),
            "files": [str(p.relative_to(self.public)) for p in uniq],
            "bytes_raw": sum(p.stat().st_size for p in uniq),
            "bytes_gz": sum(self.gz(p) for p in uniq),
            "top": results,
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("public", type=Path, help="a built site (its output folder)")
    ap.add_argument("queries", nargs="*", help=f"queries (default: {' '.join(DEFAULT_QUERIES)})")
    ap.add_argument("--top", type=int, default=0, help="print the top N results of each query")
    ap.add_argument("--json", type=Path, help="write every query's files, bytes and top results here")
    args = ap.parse_args()
    site = Site(args.public)
    queries = args.queries or DEFAULT_QUERIES

    search_dir = site.base
    total_raw = sum(p.stat().st_size for p in search_dir.rglob("*") if p.is_file())
    n_files = sum(1 for p in search_dir.rglob("*") if p.is_file())
    print(f"site: {args.public}  reports: {site.meta.get('reports')}  word parts: {len(site.meta['parts'])}  "
          f"search/ files: {n_files}  bytes: {total_raw:,}")
    print(f"meta file: {site.meta_path.stat().st_size:,} B raw, {site.gz(site.meta_path):,} B gzip")
    js = args.public / "search.js"
    for cand in [js, *args.public.glob("**/search*.js")]:
        if cand.is_file():
            print(f"{cand.relative_to(args.public)}: {cand.stat().st_size:,} B raw, {gz(cand.read_bytes()):,} B gzip (once per page)")
            break
    print()
    print("| query | matches | word parts | doc shards | files | raw bytes | gzip bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    out = []
    for q in queries:
        r = site.query(q, top=max(args.top, 10))
        out.append(r)
        whole = " (whole word)" if any(t.get("whole") for t in r["terms"]) else ""
        print(f"| `{q}`{whole} | {r['count']:,} | {r.get('word_parts', 0)} | {r.get('doc_shards', 0)} | "
              f"{len(r['files'])} | {r.get('bytes_raw', 0):,} | {r['bytes_gz']:,} |")
    if args.top:
        for r in out:
            print(f"\n{r['query']!r}: {r['count']} matches")
            for i, t in enumerate(r["top"][: args.top], 1):
                print(f"  {i:2}. [{t['score']}] {t['date']} {t['title']}  {t['url']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
