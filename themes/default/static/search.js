/* impress default theme: client-side search.
   Loads the search index named by data-index on #search (a JSON array of
   {title, url, date, summary, tags, tickers, areas}, newest first) and
   filters it as the reader types. Every whitespace-separated term must match
   the title, summary, tags, tickers or areas (case-insensitive). Results are
   built with text nodes only; matched words are marked with <mark>. */
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) return;
  var form = root.querySelector("form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var indexUrl = root.getAttribute("data-index");
  var MAX_RESULTS = 100;

  var items = null;      // the index, once loaded
  var loading = null;    // the pending fetch
  var timer = 0;

  function text(value) {
    if (value == null) return "";
    if (Array.isArray(value)) return value.map(text).join(" ");
    return String(value);
  }

  function prepare(data) {
    if (!Array.isArray(data)) return [];
    return data.map(function (item) {
      var tickers = Array.isArray(item.tickers) ? item.tickers : [];
      return {
        item: item,
        haystack: [
          text(item.title),
          text(item.summary),
          text(item.tags),
          text(tickers),
          tickers.map(function (t) { return "$" + t; }).join(" "),
          text(item.areas)
        ].join("\n").toLowerCase()
      };
    });
  }

  function load() {
    if (items) return Promise.resolve(items);
    if (!loading) {
      loading = fetch(indexUrl, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          items = prepare(data);
          return items;
        })
        .catch(function (error) {
          loading = null;
          throw error;
        });
    }
    return loading;
  }

  function terms(query) {
    return query
      .toLowerCase()
      .split(/\s+/)
      .filter(function (t) { return t.length > 0; });
  }

  // Stay on the current origin: the index holds absolute URLs.
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

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Appends `value` to `node` as text, wrapping each occurrence of a wanted term in <mark>.
  function appendMarked(node, value, wanted) {
    var str = text(value);
    var parts = wanted
      .filter(function (t) { return t.length > 0; })
      .sort(function (a, b) { return b.length - a.length; })
      .map(escapeRegExp);
    if (!parts.length) {
      node.appendChild(document.createTextNode(str));
      return node;
    }
    var re = new RegExp(parts.join("|"), "gi");
    var last = 0;
    var m;
    while ((m = re.exec(str)) !== null) {
      if (m[0].length === 0) { re.lastIndex++; continue; }
      if (m.index > last) node.appendChild(document.createTextNode(str.slice(last, m.index)));
      node.appendChild(el("mark", null, m[0]));
      last = m.index + m[0].length;
    }
    if (last < str.length) node.appendChild(document.createTextNode(str.slice(last)));
    return node;
  }

  function render(query, results, total, wanted) {
    wanted = wanted || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!query) {
      status.textContent = items ? items.length + " reports. Type to search." : "";
      return;
    }
    if (total === 0) {
      status.textContent = "No reports match “" + query + "”.";
      return;
    }
    var count = total === 1 ? "1 report matches" : total + " reports match";
    status.textContent = count + " “" + query + "”" +
      (total > results.length ? "; showing the newest " + results.length + "." : ".");

    var fragment = document.createDocumentFragment();
    results.forEach(function (entry) {
      var item = entry.item;
      var li = el("li", "result");
      var h = el("h2", "result__title");
      var a = appendMarked(el("a"), item.title, wanted);
      a.href = localHref(text(item.url));
      h.appendChild(a);
      li.appendChild(h);

      var metaParts = [];
      var date = formatDate(item.date);
      if (date) metaParts.push(date);
      if (Array.isArray(item.areas) && item.areas.length) metaParts.push(item.areas.slice(0, 3).join(", "));
      if (Array.isArray(item.tickers) && item.tickers.length) {
        metaParts.push(item.tickers.slice(0, 5).map(function (t) { return "$" + t; }).join(" "));
      }
      if (metaParts.length) {
        var meta = el("p", "result__meta");
        if (date && item.date) {
          var time = el("time", null, date);
          time.setAttribute("datetime", String(item.date));
          meta.appendChild(time);
          if (metaParts.length > 1) meta.appendChild(document.createTextNode(" · " + metaParts.slice(1).join(" · ")));
        } else {
          meta.textContent = metaParts.join(" · ");
        }
        li.appendChild(meta);
      }

      if (item.summary) li.appendChild(appendMarked(el("p", "result__summary"), item.summary, wanted));
      fragment.appendChild(li);
    });
    list.appendChild(fragment);
  }

  function run(updateUrl) {
    var query = input.value.trim();
    if (updateUrl && window.history && window.history.replaceState) {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query);
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    if (!query) {
      render("", [], 0);
      return;
    }
    status.textContent = items ? "" : "Loading the index…";
    load().then(function (all) {
      if (input.value.trim() !== query) return; // a newer query is running
      var wanted = terms(query).map(function (t) {
        // "$mp" and "mp" both find the ticker MP
        return t.length > 1 && t.charAt(0) === "$" ? t.slice(1) : t;
      });
      var matches = all.filter(function (entry) {
        for (var i = 0; i < wanted.length; i++) {
          if (entry.haystack.indexOf(wanted[i]) === -1) return false;
        }
        return true;
      });
      render(query, matches.slice(0, MAX_RESULTS), matches.length, wanted);
    }).catch(function () {
      status.textContent = "The search index could not be loaded. Browse by tag or ticker instead.";
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { run(true); }, 120);
  });
  input.addEventListener("focus", function () { load().catch(function () {}); }, { once: true });
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
    load().then(function () { if (!input.value.trim()) render("", [], 0); }).catch(function () {});
  }
})();
