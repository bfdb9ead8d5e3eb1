// node harness.mjs pf|ours PORT LOGFILE OUT.json query...
// pf: loads /bench.html, imports /pagefind/pagefind.js, search(q), data() of the first 5 then 10 results.
// ours: loads /search/?q=..., waits for the result list (impress search.js).
const puppeteer = (await import(process.env.PUPPETEER_CORE || '/tmp/pf/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js')).default;
import fs from 'fs';
const [mode, port, logfile, out, ...queries] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const results = [];
for (const q of queries) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setCacheEnabled(false);
  fs.writeFileSync(logfile, '');
  let r;
  const t0 = Date.now();
  if (mode === 'pf') {
    await page.goto(base + '/bench.html', { waitUntil: 'load' });
    r = await page.evaluate(async (q) => {
      const mark = (s) => fetch('/__mark?stage=' + s);
      const t = [performance.now()];
      const pf = await import('/pagefind/pagefind.js');
      await pf.init();
      await mark('init'); t.push(performance.now());
      const s = await pf.search(q);
      await mark('search'); t.push(performance.now());
      const d5 = await Promise.all(s.results.slice(0, 5).map(x => x.data()));
      await mark('data5'); t.push(performance.now());
      const d10 = await Promise.all(s.results.slice(5, 10).map(x => x.data()));
      await mark('data10'); t.push(performance.now());
      return { count: s.results.length, unfiltered: s.unfilteredResultCount,
        ms: t.slice(1).map((v, i) => Math.round(v - t[i])),
        top: [...d5, ...d10].map((d, i) => ({ url: d.url, title: d.meta && d.meta.title, score: s.results[i].score,
          words: d.word_count, excerpt: d.excerpt })) };
    }, q);
  } else {
    await page.goto(base + '/search/?q=' + encodeURIComponent(q), { waitUntil: 'load' });
    await page.waitForFunction(() => {
      const s = document.getElementById('search-status');
      return s && /match|could not/.test(s.textContent);
    }, { timeout: 60000 });
    await page.evaluate(() => fetch('/__mark?stage=done'));
    r = await page.evaluate(() => ({ status: document.getElementById('search-status').textContent,
      top: [...document.querySelectorAll('#search-results li')].slice(0, 10).map(li => ({
        url: li.querySelector('a').getAttribute('href'), title: li.querySelector('a').textContent })) }));
  }
  r.wall_ms = Date.now() - t0;
  await new Promise(res => setTimeout(res, 200));
  r.query = q;
  r.log = fs.readFileSync(logfile, 'utf8').trim().split('\n');
  results.push(r);
  await ctx.close();
  process.stderr.write(`${q}: ${r.count ?? r.status} ${r.log.length} requests\n`);
}
await browser.close();
fs.writeFileSync(out, JSON.stringify(results, null, 1));
