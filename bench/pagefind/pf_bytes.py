#!/usr/bin/env python3
"""Bytes per query of Pagefind from harness.mjs logs (server-side request log per query).
Pagefind's .pf_* and wasm files are gzip already: counted as stored. Others: gzip -6 size.
usage: pf_bytes.py SITE_ROOT harness.json"""
import sys, json, gzip, os
root, res = sys.argv[1], json.load(open(sys.argv[2]))
cache = {}
def size(path):
    p = os.path.join(root, path.split('?')[0].lstrip('/'))
    if p not in cache:
        b = open(p, 'rb').read()
        cache[p] = (len(b), len(b) if b[:2] == b'\x1f\x8b' else len(gzip.compress(b, 6, mtime=0)))
    return cache[p]
print('| query | results | index chunks | fragments | fixed (js+worker+entry+meta+wasm) | chunks | 5 frags | 10 frags | total w/ 5 | total w/ 10 |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for r in res:
    stage, seen = 'init', set()
    fixed = chunks = f5 = f10 = 0; nch = nfr = 0
    order = ['init', 'search', 'data5', 'data10']
    cur = 0
    for l in r['log']:
        kind, path = l.split(' ', 1)
        if kind == 'MARK':
            cur += 1; continue
        if not path.startswith('/pagefind/'): continue
        g = size(path)[1]
        if '/index/' in path: chunks += g; nch += 1
        elif '/fragment/' in path:
            nfr += 1
            if cur <= 2: f5 += g
            else: f10 += g
        else: fixed += g
    r['bytes'] = dict(fixed=fixed, chunks=chunks, frag5=f5, frag10=f5 + f10, total5=fixed + chunks + f5, total10=fixed + chunks + f5 + f10)
    print(f"| `{r['query']}` | {r['count']:,} | {nch} | {nfr} | {fixed:,} | {chunks:,} | {f5:,} | {f5+f10:,} | {fixed+chunks+f5:,} | {fixed+chunks+f5+f10:,} |")
json.dump(res, open(sys.argv[2].replace('.json', '.bytes.json'), 'w'), indent=1)
