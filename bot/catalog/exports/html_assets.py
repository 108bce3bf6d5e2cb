"""The HTML page's inline style and script (no CDN, no external file, no font to fetch).

The script filters the page as the reader types (every word must occur in an entry's name,
aliases, paper title, authors, organisation, topics or description; case ignored) and by topic
(an entry shows when it has any of the pressed topics); a section with nothing left is hidden, and
the count says how many entries show. Without JavaScript the whole catalog is simply listed.
"""

from __future__ import annotations

__all__ = ["PAGE_SCRIPT", "PAGE_STYLE"]

PAGE_STYLE = """
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fff; --muted: #5f6368; --line: #e3e3e6;
  --accent: #2458c6; --chip: #eef2fb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8ea; --bg: #16171a; --muted: #a0a4ab;
  --line: #2c2e33; --accent: #8fb0ff; --chip: #23283a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; background: var(--bg); border-bottom: 1px solid var(--line);
  padding: .75rem 1rem; }
header h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
#q { width: 100%; font-size: 1rem; padding: .5rem .75rem; border: 1px solid var(--line);
  border-radius: .5rem; background: var(--bg); color: var(--fg); }
#topics { display: flex; flex-wrap: wrap; gap: .375rem; margin-top: .5rem; max-height: 6.5rem;
  overflow-y: auto; }
.topic { font: inherit; font-size: .8125rem; padding: .125rem .625rem; border-radius: 1rem; cursor: pointer;
  border: 1px solid var(--line); background: var(--chip); color: var(--fg); }
.topic[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: var(--bg); }
.count { color: var(--muted); font-size: .875rem; margin: .5rem 0 0; }
h2, h3 { margin: 1.5rem 0 .5rem; }
.intro { color: var(--muted); }
ul.entries { list-style: none; padding: 0; margin: 0; }
li.entry { padding: .625rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.name { font-weight: 600; }
.date, .org, .authors, .tags { color: var(--muted); font-size: .875rem; }
.tag { display: inline-block; margin-right: .375rem; }
a { color: var(--accent); }
footer { color: var(--muted); font-size: .8125rem; padding: 2rem 1rem; }
[hidden] { display: none !important; }
@media (max-width: 40rem) { body { font-size: 15px; } header { padding: .5rem .75rem; }
  main, footer { padding: 0 .75rem; }
  #topics { flex-wrap: nowrap; overflow-x: auto; max-height: none; padding-bottom: .25rem; }
  .topic { flex: none; } }
"""

PAGE_SCRIPT = """
(function () {
  "use strict";
  var box = document.getElementById("q");
  var entries = Array.prototype.slice.call(document.querySelectorAll("li.entry"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.catalog-section"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.topic"));
  var shown = document.getElementById("shown");
  var none = document.getElementById("none");
  function pressed() {
    return buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
      .map(function (b) { return b.dataset.topic; });
  }
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var topics = pressed();
    var count = 0;
    entries.forEach(function (li) {
      var text = li.dataset.text;
      var mine = (li.dataset.topics || "").split(" ");
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        (topics.length === 0 || topics.some(function (t) { return mine.indexOf(t) !== -1; }));
      li.hidden = !ok;
      if (ok) { count += 1; }
    });
    sections.forEach(function (s) {
      var lis = s.querySelectorAll("li.entry");
      s.hidden = lis.length > 0 && s.querySelectorAll("li.entry:not([hidden])").length === 0;
    });
    shown.textContent = String(count);
    none.hidden = count !== 0;
  }
  box.addEventListener("input", apply);
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
  apply();
})();
"""
