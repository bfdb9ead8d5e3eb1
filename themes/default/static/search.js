/* impress default theme: client-side search over the split index (src/search.rs).
   data-index on #search names the meta file (search/index.json): the first word of each
   word part, the tickers the site knows, the number of reports and the document shard
   size. A query loads the word parts its words fall in and the document shards of the
   results shown, never the whole index.
   Words are folded as the build folds them (NFKD, marks stripped, lower case, a few
   letters spelled out; the index holds a non-ASCII word so and transliterated, so
   "москва" and "moskva" both find Москва) and match by prefix; "$MP", or "MP" when MP
   is a ticker of the site, matches that ticker only.
   Every word must match; reports rank by the weights of their matches (title and
   tickers 3, takeaway, quick read and terms 2, body 1), newest first on ties. Results
   are built with text nodes only; matched words are marked with <mark>. */
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) return;
  var form = root.querySelector("form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var metaUrl = root.getAttribute("data-index");
  var base = metaUrl.replace(/[^\/]*$/, ""); // the folder of the meta file
  var PAGE = 20;
  var MAX_PREFIX_PARTS = 3; // a prefix spread over more parts matches whole words only
  var MAX_WORD = 32;
  var STOP = {};
  ("an and are as at be but by for from has have in into is it its of on or that the " +
    "their this to was were will with than which been also").split(" ").forEach(function (w) { STOP[w] = true; });
  // Spelled out after lower-casing, as the build does (spelled_out in src/search.rs).
  var EXTRA = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ħ": "h", "ς": "σ" };
  // Letters and digits as the build tells them (char::is_alphanumeric), and combining
  // marks; a browser without Unicode property escapes gets the ASCII and Latin ones.
  var ALNUM = "a-z0-9", MARK = "\u0300-\u036f", TEXT = "0-9A-Za-z\u00C0-\u024F\u1E00-\u1EFF";
  try {
    new RegExp("\\p{Alphabetic}", "u");
    ALNUM = "\\p{Alphabetic}\\p{N}"; MARK = "\\p{M}"; TEXT = ALNUM + MARK;
  } catch (e) {}
  var FLAGS = ALNUM === "a-z0-9" ? "g" : "gu";
  var MARKS = new RegExp("[" + MARK + "]", FLAGS);
  var WORDS = new RegExp("[" + ALNUM + "]+", FLAGS);
  var TRIM = new RegExp("^[^" + ALNUM + "$]+|[^" + ALNUM + "]+$", FLAGS);
  var PIECES = new RegExp("([^" + TEXT + "$.']+)", FLAGS.replace("g", ""));

  var meta = null;
  var tickers = {};   // lower-case symbol -> true
  var store = {};     // url -> pending or settled fetch
  var timer = 0;
  var sequence = 0;   // the newest query; older ones give up
  var shown = null;   // { query, ranked, terms, count }

  function getJSON(url) {
    if (!store[url]) {
      store[url] = fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .catch(function (error) {
          delete store[url];
          throw error;
        });
    }
    return store[url];
  }

  function loadMeta() {
    return getJSON(metaUrl).then(function (data) {
      if (!meta) {
        meta = data;
        (data.tickers || []).forEach(function (t) { tickers[String(t).toLowerCase()] = true; });
      }
      return meta;
    });
  }

  // As the build does: NFKD, combining marks stripped, lower case, a few letters spelled out.
  function fold(s) {
    s = String(s);
    if (s.normalize) s = s.normalize("NFKD");
    return s.replace(MARKS, "").toLowerCase()
      .replace(/[ßæœøđðþłıħς]/g, function (c) { return EXTRA[c]; });
  }

  // A word's length in characters, as the build counts them (a surrogate pair is one).
  function size(w) {
    return w.length - (w.match(/[\ud800-\udbff]/g) || []).length;
  }

  // Kana and CJK ideographs: text written without spaces between words (is_cjk in
  // src/search.rs, the same ranges). The build indexes every two neighbouring ones.
  var CJK = /^(?:[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\ud840-\ud87f][\udc00-\udfff])$/;

  // The pairs of neighbouring CJK characters in `w`, which a query looks for all of.
  function cjkPairs(w) {
    var chars = w.match(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g) || [];
    var pairs = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      if (CJK.test(chars[i]) && CJK.test(chars[i + 1])) pairs.push(chars[i] + chars[i + 1]);
    }
    return pairs;
  }

  // A query -> terms: { ticker: true, key: "$mp" } or { key: "lith" } (a prefix).
  function parse(query) {
    var terms = [];
    query.split(/\s+/).forEach(function (raw) {
      var f = fold(raw).replace(TRIM, "");
      if (!f) return;
      if (f.charAt(0) === "$" && f.length > 1) {
        terms.push({ ticker: true, key: "$" + f.slice(1).replace(/^\$+/, "") });
        return;
      }
      if (tickers[f]) {
        terms.push({ ticker: true, key: "$" + f });
        return;
      }
      (f.match(WORDS) || []).forEach(function (w) {
        var n = size(w);
        var pairs = n > 2 ? cjkPairs(w) : [];
        if (pairs.length) {
          pairs.forEach(function (p) { terms.push({ key: p }); });
        } else if (n >= 2 && n <= MAX_WORD && !STOP[w]) {
          terms.push({ key: w });
        }
      });
    });
    return terms;
  }

  // The last part whose first word is at most `word` (the build sorts words as JavaScript
  // compares strings, by UTF-16 code units).
  function partOf(word) {
    var parts = meta.parts, lo = 0, hi = parts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (parts[mid] <= word) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // The parts a term's words fall in; a prefix over too many parts becomes a whole word.
  function partsOf(term) {
    var from = partOf(term.key);
    var to = term.ticker ? from : partOf(term.key + "\uffff");
    var parts = [];
    for (var i = from; i <= to; i++) {
      // An empty part repeats the next part's first word.
      if (i === to || meta.parts[i] !== meta.parts[i + 1]) parts.push(i);
    }
    if (parts.length > MAX_PREFIX_PARTS) {
      term.whole = true;
      return [from];
    }
    return parts;
  }

  // The reports a term matches: id -> weight (the best of its words).
  function matches(term, loaded) {
    var found = {};
    var exact = term.ticker || term.whole;
    loaded.forEach(function (part) {
      if (!Array.isArray(part)) return;
      part.forEach(function (entry) {
        var word = entry[0];
        if (exact ? word !== term.key : word.lastIndexOf(term.key, 0) !== 0) return;
        var id = 0;
        String(entry[1]).split(",").forEach(function (code, k) {
          var v = parseInt(code, 36);
          if (isNaN(v)) return;
          id = (k === 0 ? 0 : id) + Math.floor(v / 4);
          var w = v % 4;
          if (!(found[id] >= w)) found[id] = w;
        });
      });
    });
    return found;
  }

  // Every term must match; by summed weight, then newest (lowest id) first.
  function rank(found) {
    found.sort(function (a, b) { return Object.keys(a).length - Object.keys(b).length; });
    var ranked = [];
    Object.keys(found[0]).forEach(function (key) {
      var score = 0;
      for (var i = 0; i < found.length; i++) {
        var w = found[i][key];
        if (w === undefined) return;
        score += w;
      }
      ranked.push({ id: Number(key), score: score });
    });
    ranked.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
    return ranked;
  }

  function resolve(terms) {
    return Promise.all(terms.map(function (term) {
      return Promise.all(partsOf(term).map(function (p) {
        return getJSON(base + "words/" + p + ".json");
      })).then(function (loaded) { return matches(term, loaded); });
    })).then(rank);
  }

  // The documents of some ranked results, from their shards.
  function documents(results) {
    var size = meta.docs || 1;
    return Promise.all(results.map(function (r) {
      return getJSON(base + "docs/" + Math.floor(r.id / size) + ".json").then(function (shard) {
        var doc = Array.isArray(shard) ? shard[r.id % size] : null;
        return Array.isArray(doc) ? doc : null;
      });
    }));
  }

  // Stay on the current origin.
  function localHref(url) {
    try {
      var u = new URL(url, window.location.href);
      return u.pathname + u.hash;
    } catch (e) {
      return url;
    }
  }

  function formatDate(iso) {
    if (!iso) return "";
    var d = new Date(String(iso).slice(0, 10) + "T00:00:00Z");
    if (isNaN(d.getTime())) return String(iso);
    var lang = document.documentElement.lang || undefined;
    try {
      if (!lang || /^en\b/i.test(lang)) {
        // "9 October 2025", as on the site's own pages
        return d.getUTCDate() + " " +
          d.toLocaleDateString("en", { month: "long", timeZone: "UTC" }) + " " +
          d.getUTCFullYear();
      }
      return d.toLocaleDateString(lang, {
        year: "numeric", month: "long", day: "numeric", timeZone: "UTC"
      });
    } catch (e) {
      return String(iso).slice(0, 10);
    }
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = content;
    return node;
  }

  // True when a word of the page matches a term as the index would.
  function marked(token, terms) {
    var f = fold(token);
    var words = f.match(WORDS) || [];
    var symbol = f.replace(/^\$/, "").replace(/[^a-z0-9]+$/, "");
    return terms.some(function (t) {
      if (t.ticker) return "$" + symbol === t.key;
      return words.some(function (w) { return t.whole ? w === t.key : w.lastIndexOf(t.key, 0) === 0; });
    });
  }

  // Appends `value` to `node` as text, each matched word wrapped in <mark>.
  function appendMarked(node, value, terms) {
    var pieces = String(value == null ? "" : value).split(PIECES);
    var plain = "";
    pieces.forEach(function (piece, i) {
      if (i % 2 === 0 && piece && marked(piece, terms)) {
        if (plain) node.appendChild(document.createTextNode(plain));
        plain = "";
        node.appendChild(el("mark", null, piece));
      } else {
        plain += piece;
      }
    });
    if (plain) node.appendChild(document.createTextNode(plain));
    return node;
  }

  function result(doc, terms) {
    var li = el("li", "result");
    var h = el("h2", "result__title");
    var a = appendMarked(el("a"), doc[0], terms);
    a.href = localHref(String(doc[1] || ""));
    h.appendChild(a);
    li.appendChild(h);

    var date = formatDate(doc[2]);
    var extra = [];
    var areas = Array.isArray(doc[5]) ? doc[5] : [];
    var syms = Array.isArray(doc[4]) ? doc[4] : [];
    if (areas.length) extra.push(areas.slice(0, 3).join(", "));
    if (syms.length) extra.push(syms.slice(0, 5).map(function (t) { return "$" + t; }).join(" "));
    if (date || extra.length) {
      var line = el("p", "result__meta");
      if (date) {
        var time = el("time", null, date);
        time.setAttribute("datetime", String(doc[2]));
        line.appendChild(time);
        if (extra.length) line.appendChild(document.createTextNode(" · " + extra.join(" · ")));
      } else {
        line.textContent = extra.join(" · ");
      }
      li.appendChild(line);
    }
    if (doc[3]) li.appendChild(appendMarked(el("p", "result__summary"), doc[3], terms));
    return li;
  }

  function clear() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var more = document.getElementById("search-more");
    if (more) more.parentNode.removeChild(more);
  }

  function summary() {
    var q = shown.query, total = shown.ranked.length;
    if (total === 0) return "No reports match “" + q + "”.";
    var text = (total === 1 ? "1 report matches" : total + " reports match") + " “" + q + "”";
    if (total > shown.count) text += "; showing the best " + shown.count;
    text += ".";
    var whole = shown.terms.filter(function (t) { return t.whole; }).map(function (t) { return t.key; });
    if (whole.length) text += " Whole words only for “" + whole.join("”, “") + "”: type more letters to match longer words.";
    return text;
  }

  // Shows the next page of the current results.
  function showMore(mine) {
    var page = shown.ranked.slice(shown.count, shown.count + PAGE);
    return documents(page).then(function (docs) {
      if (mine !== sequence) return;
      if (shown.count === 0) clear(); // the old results stay until the new ones are here
      var fragment = document.createDocumentFragment();
      docs.forEach(function (doc) { if (doc) fragment.appendChild(result(doc, shown.terms)); });
      list.appendChild(fragment);
      shown.count += page.length;
      status.textContent = summary();
      var more = document.getElementById("search-more");
      if (shown.count < shown.ranked.length) {
        if (!more) {
          more = el("button", "button", "Show more results");
          more.id = "search-more";
          more.type = "button";
          more.addEventListener("click", function () { showMore(sequence).catch(failed); });
          list.parentNode.insertBefore(more, list.nextSibling);
        }
      } else if (more) {
        more.parentNode.removeChild(more);
      }
    });
  }

  function failed() {
    status.textContent = "The search index could not be loaded. Browse by tag or ticker instead.";
  }

  function run(updateUrl) {
    var query = input.value.trim();
    var mine = ++sequence;
    if (updateUrl && window.history && window.history.replaceState) {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query);
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    if (!query) {
      clear();
      status.textContent = meta ? meta.reports + " reports. Type to search." : "";
      return;
    }
    if (!meta) status.textContent = "Loading the index…";
    loadMeta().then(function () {
      if (mine !== sequence) return null;
      var terms = parse(query);
      if (!terms.length) {
        clear();
        status.textContent = "Type a longer word: “" + query + "” is too common to search for.";
        return null;
      }
      return resolve(terms).then(function (ranked) {
        if (mine !== sequence) return null;
        shown = { query: query, ranked: ranked, terms: terms, count: 0 };
        // The count is said once the results it counts are on the page (showMore).
        return showMore(mine);
      });
    }).catch(failed);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { run(true); }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    run(true);
  });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(false);
  } else {
    loadMeta().then(function () { if (!input.value.trim()) run(false); }).catch(function () {});
  }
})();
