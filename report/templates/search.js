/* Site search over every version's text (report/search_index.py writes the index it reads).
   The index and the texts are <script> files, so this works from file:// as well as from a server.
   Texts are untrusted: results are built with textContent, never innerHTML. */
(function () {
  "use strict";
  var S = window.FAZHI_SEARCH = window.FAZHI_SEARCH || {};
  var shards = {}, texts = {}, loading = {};
  var meta = null, docs = [];
  var SNIPPET = 40;
  var PAGE = 50;  // results shown at once
  var BATCH = 64;  // candidates confirmed per round

  S.documents = function (m, rows) { meta = m; docs = rows; };
  S.shard = function (k, postings) { shards[k] = postings; };
  S.texts = function (k, list) { texts[k] = list; };

  function load(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("cannot load " + src)); };
        document.head.appendChild(script);
      });
    }
    return loading[src];
  }

  function normalise(text) { return text.normalize("NFKC").toLowerCase(); }
  function terms(query) {
    return normalise(query).split(/\s+/).filter(function (t) { return t.length >= 2; });
  }
  function bigrams(term) {
    var out = [];
    for (var i = 0; i + 1 < term.length; i++) { out.push(term.substr(i, 2)); }
    return out;
  }
  function shardOf(gram) { return (gram.charCodeAt(0) * 31 + gram.charCodeAt(1)) % meta.shards; }

  function intersect(a, b) {
    var set = new Set(b);
    return a.filter(function (x) { return set.has(x); });
  }

  function candidates(words) {
    var grams = [];
    words.forEach(function (w) { grams = grams.concat(bigrams(w)); });
    var needed = Array.from(new Set(grams.map(shardOf)));
    return Promise.all(needed.map(function (k) { return load("search/index-" + k + ".js"); })).then(function () {
      var found = null;
      grams.forEach(function (g) {
        var list = shards[shardOf(g)][g] || [];
        found = found === null ? list.slice() : intersect(found, list);
      });
      return found || [];
    });
  }

  // Newest report year first, then agency, then latest version: the order results are confirmed and shown in.
  function byYear(a, b) {
    var x = docs[a], y = docs[b];
    return (y[2] - x[2]) || x[0].localeCompare(y[0], "zh-CN") || (y[5] - x[5]);
  }

  function match(n, words) {
    var text = texts[Math.floor(n / meta.chunk)][n % meta.chunk];
    var hits = 0, first = -1;
    for (var w = 0; w < words.length; w++) {
      var count = 0, at = text.indexOf(words[w]);
      if (at < 0) { return null; }
      if (first < 0 || at < first) { first = at; }
      while (at >= 0) { count++; at = text.indexOf(words[w], at + words[w].length); }
      hits += count;
    }
    return { id: n, hits: hits, text: text, at: first };
  }

  // Candidates are confirmed against their texts in order, a batch of text files at a time, until a
  // page of results is found: a word in every report does not load every text.
  function confirm(ids, words, found) {
    found = found || [];
    if (!ids.length || found.length >= PAGE) { return Promise.resolve({ results: found, unchecked: ids.length }); }
    var batch = ids.slice(0, BATCH), rest = ids.slice(BATCH);
    var chunks = Array.from(new Set(batch.map(function (n) { return Math.floor(n / meta.chunk); })));
    return Promise.all(chunks.map(function (k) { return load("search/text-" + k + ".js"); })).then(function () {
      batch.forEach(function (n) {
        var r = found.length < PAGE ? match(n, words) : null;
        if (r) { found.push(r); } else if (found.length >= PAGE) { rest.unshift(n); }
      });
      return confirm(rest, words, found);
    });
  }

  function snippet(text, at, words) {
    var start = Math.max(0, at - SNIPPET), end = Math.min(text.length, at + SNIPPET * 2);
    var part = text.slice(start, end).replace(/\s+/g, " ");
    var p = document.createElement("p");
    p.className = "snippet";
    if (start > 0) { p.appendChild(document.createTextNode("…")); }
    var rest = part;
    while (rest.length) {
      var best = -1, word = "";
      words.forEach(function (w) { var i = rest.indexOf(w); if (i >= 0 && (best < 0 || i < best)) { best = i; word = w; } });
      if (best < 0) { p.appendChild(document.createTextNode(rest)); break; }
      p.appendChild(document.createTextNode(rest.slice(0, best)));
      var mark = document.createElement("mark");
      mark.textContent = rest.substr(best, word.length);
      p.appendChild(mark);
      rest = rest.slice(best + word.length);
    }
    if (end < text.length) { p.appendChild(document.createTextNode("…")); }
    return p;
  }

  function show(outcome, words, exact, status, list) {
    var results = outcome.results;
    list.textContent = "";
    results.forEach(function (r) {
      var d = docs[r.id];
      var li = document.createElement("li");
      li.className = "result";
      var a = document.createElement("a");
      a.href = d[4];
      a.textContent = d[3];
      li.appendChild(a);
      var about = document.createElement("div");
      about.className = "meta";
      about.textContent = d[0] + " · " + d[1] + " · " + d[2] + " 年度 · 第 " + d[5] + "/" + d[6] + " 版 · 出现 " + r.hits + " 次";
      li.appendChild(about);
      li.appendChild(snippet(r.text, r.at, words));
      list.appendChild(li);
    });
    var total = exact !== null ? exact : results.length;
    if (!results.length) {
      status.textContent = "没有找到包含这些字词的报告。";
    } else if (exact === null && outcome.unchecked) {
      status.textContent = "显示前 " + results.length + " 个版本（另有最多 " + outcome.unchecked + " 个版本可能包含）";
    } else if (total > results.length) {
      status.textContent = "找到 " + total + " 个版本，显示前 " + results.length + " 个";
    } else {
      status.textContent = "找到 " + total + " 个版本";
    }
    status.setAttribute("data-count", String(results.length));
  }

  var sequence = 0;
  function run(query, status, list) {
    var words = terms(query);
    var mine = ++sequence;
    if (!words.length) {
      list.textContent = "";
      status.textContent = query.trim() ? "请至少输入两个字。" : "";
      status.removeAttribute("data-count");
      return;
    }
    status.textContent = "检索中…";
    status.removeAttribute("data-count");
    candidates(words).then(function (ids) {
      ids.sort(byYear);
      // one two-character word: its bigram's list is the answer, exactly
      var exact = words.length === 1 && words[0].length === 2 ? ids.length : null;
      return confirm(ids, words).then(function (outcome) { return [outcome, exact]; });
    }).then(function (answer) {
      if (mine === sequence) { show(answer[0], words, answer[1], status, list); }
    }).catch(function (error) { status.textContent = "检索失败：" + error.message; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search-form");
    var input = document.getElementById("search-query");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    if (!form || !meta) { return; }
    form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value, status, list); });
    input.addEventListener("input", function () { run(input.value, status, list); });
    var given = new URLSearchParams(window.location.search).get("q");
    if (given) { input.value = given; run(given, status, list); }
  });
}());
