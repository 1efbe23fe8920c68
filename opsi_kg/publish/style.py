"""The site's one stylesheet (``style.css``): readable type, tables, badges; light and dark."""

STYLESHEET = """\
/* opsi-kg static site. Generated; do not edit by hand. */
:root {
  --fg: #1d2733; --muted: #5b6672; --bg: #ffffff; --panel: #f4f6f8; --line: #d9dee3;
  --accent: #2f6f9f; --accent-fg: #ffffff; --badge: #e8eef4; --inferred: #7a5b00; --inferred-bg: #fff4cc;
}
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e8ee; --muted: #9aa6b2; --bg: #14191f; --panel: #1c232b; --line: #2e3843;
          --accent: #7fb3df; --accent-fg: #14191f; --badge: #24303c; --inferred: #ffd866; --inferred-bg: #3a3212; }
  svg.chart text { fill: var(--fg); }
}
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover, a:focus { text-decoration: underline; }
a[rel="external"]::after { content: " \\2197"; font-size: .8em; color: var(--muted); }
th a[rel="external"]::after, a.type[rel="external"]::after { content: none; }
header.site { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .75rem 1.5rem;
              background: var(--panel); border-bottom: 1px solid var(--line); }
header.site .brand { font-weight: 700; font-size: 1.15rem; color: var(--fg); }
header.site nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header.site nav a[aria-current="page"] { font-weight: 600; color: var(--fg); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer.site { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; color: var(--muted);
              border-top: 1px solid var(--line); font-size: .9rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: .75rem 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .35rem; }
p.lead { font-size: 1.1rem; max-width: 48rem; }
p.iri { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
p.iri code { color: var(--fg); }
p.description, p.definition { max-width: 50rem; }
.alternates { margin-left: .75rem; }
p.types a.type { display: inline-block; background: var(--badge); border-radius: 999px; padding: .05rem .6rem;
                 margin-right: .25rem; font-size: .85rem; }
.badge { display: inline-block; border-radius: 4px; padding: 0 .35rem; font-size: .75rem; vertical-align: middle; }
.badge.inferred { background: var(--inferred-bg); color: var(--inferred); }
.count { color: var(--muted); font-weight: normal; font-size: .9em; }
.dt, .notation { color: var(--muted); font-size: .8em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre.sparql { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem;
             overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.25rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); font-weight: 600; }
table.props th[scope="row"] { width: 16rem; font-weight: 600; }
ul.values { list-style: none; margin: 0; padding: 0; }
ul.values li { margin: .1rem 0; overflow-wrap: anywhere; }
ul.cases { margin: 0; padding-left: 1.1rem; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.1rem; margin: .15rem 0; }
ul.tree { padding-left: 0; }
ul.tree li::before { content: "\\25B8 "; color: var(--muted); }
ul.stats { list-style: none; display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; margin: 1rem 0; }
li.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem;
          min-width: 9rem; }
li.stat .n { display: block; font-size: 1.6rem; font-weight: 700; }
figure.chart { margin: 1rem 0 2rem; max-width: 100%; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: .85rem; }
nav.toc ul { columns: 2; }
section.term { border-left: 3px solid var(--line); padding-left: 1rem; margin: 1.25rem 0; }
section.term dl, main > dl, section dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
div.nested { border: 1px solid var(--line); border-radius: 6px; padding: .25rem 1rem; margin: .75rem 0; }
details { margin: 1.5rem 0; }
summary { cursor: pointer; color: var(--accent); }
.error { border-left: 4px solid #b00020; padding: .5rem 1rem; background: var(--panel); }
@media (max-width: 40rem) {
  table.props th[scope="row"] { width: auto; }
  nav.toc ul { columns: 1; }
}
"""
