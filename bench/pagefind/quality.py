import json, sys, re
ours = {r['query']: r for r in json.load(open(sys.argv[1]))}
pf = {r['query']: r for r in json.load(open(sys.argv[2]))}
def intitle(q, t):
    ws = [w.lower().lstrip('$') for w in q.split()]
    tl = t.lower()
    return all(re.search(r'\b' + re.escape(w), tl) for w in ws)
print('| query | ours: matches | ours: top10 w/ query in title | pagefind: matches | pagefind: top10 w/ query in title | top10 overlap |')
print('|---|---:|---:|---:|---:|---:|')
for q in ours:
    o, p = ours[q], pf[q]
    ot = [t['title'] for t in o['top'][:10]]; pt = [t['title'] or '' for t in p['top'][:10]]
    ov = len({t['url'] for t in o['top'][:10]} & {t['url'] for t in p['top'][:10]})
    print(f"| `{q}` | {o['count']:,} | {sum(intitle(q,t) for t in ot)}/{len(ot)} | {p['count']:,} | {sum(intitle(q,t) for t in pt)}/{len(pt)} | {ov} |")
