"""HTML for people: the home page, result tables and error pages. Plain HTML, no scripts.

Pages share the static site's frame and stylesheet (:mod:`opsi_kg.publish`), and resource pages
are the site's own (:func:`opsi_kg.publish.render_resource_page`), so the live server and the
static site look alike. Every value is escaped.

>>> "&lt;b&gt;" in render_error(400, "<b>")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape

from ..namespaces import compact

Link = Callable[[str], str | None]

# what the server's own pages add to the site stylesheet
_STYLE = """<style>
.muted{color:var(--muted,#666);font-size:.9rem}
.error{border-left:4px solid #b00;padding:.5rem 1rem}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.9rem}
fieldset{border:1px solid var(--line,#ddd);margin:.5rem 0 1rem}
</style>
"""
NAV = [("SPARQL", "/sparql"), ("Saved queries", "/#saved-queries"), ("API (OpenAPI)", "/openapi.json")]
STYLESHEET_PATH = "/style.css"


def frame():
    """The site frame (title, menu, stylesheet) with the server's menu and absolute links."""
    from ..publish.html import Frame

    return Frame(site_title="opsi-kg", nav=NAV, stylesheet=STYLESHEET_PATH)


def stylesheet() -> str:
    from ..publish.style import STYLESHEET

    return STYLESHEET


def layout(title: str, body: str, current: str = "page") -> str:
    """A complete page; ``current`` is its path without the leading slash (for the menu)."""
    return frame().page(current, title, body, head_extra=_STYLE)


def _iri(iri: str, link: Link, label: str | None = None) -> str:
    href = link(iri) or iri
    text = label or compact(iri)
    return f'<a href="{escape(href)}" title="{escape(iri)}">{escape(text)}</a>'


def _json_cell(term: dict | None, link: Link) -> str:
    if term is None:
        return ""
    kind = term.get("type")
    if kind == "uri":
        return _iri(term["value"], link)
    if kind == "bnode":
        return f"<code>_:{escape(term['value'])}</code>"
    if kind == "triple":
        v = term["value"]
        return "&lt;&lt; " + " ".join(_json_cell(v[k], link) for k in ("subject", "predicate", "object")) + " &gt;&gt;"
    note = ""
    if "xml:lang" in term:
        note = f' <span class="muted">@{escape(term["xml:lang"])}</span>'
    elif "datatype" in term:
        note = f' <span class="muted">{escape(compact(term["datatype"]))}</span>'
    return escape(term.get("value", "")) + note


def render_results(
    title: str, doc: dict, link: Link, *, intro: str = "", downloads: Iterable[tuple[str, str]] = (),
    current: str = "sparql",
) -> str:
    """SPARQL JSON results (a table or a boolean) as a page."""
    parts = [intro]
    if downloads:
        parts.append("<p>" + " · ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in downloads) + "</p>")
    if "boolean" in doc:
        parts.append(f"<p><strong>{'yes' if doc['boolean'] else 'no'}</strong></p>")
        return layout(title, "".join(parts), current)
    names = doc.get("head", {}).get("vars", [])
    rows = doc.get("results", {}).get("bindings", [])
    parts.append(f'<p class="muted">{len(rows)} row{"s" if len(rows) != 1 else ""}</p>')
    parts.append("<table><thead><tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_json_cell(row.get(n), link)}</td>" for n in names) + "</tr>")
    parts.append("</tbody></table>")
    return layout(title, "".join(parts), current)


def render_error(status: int, message: str) -> str:
    return layout(f"Error {status}", f'<p class="error">{escape(message)}</p>')


QUERY_FORMATS = (("html", "table (HTML)"), ("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"),
                 ("tsv", "TSV"), ("turtle", "Turtle (CONSTRUCT)"), ("nt", "N-Triples (CONSTRUCT)"),
                 ("jsonld", "JSON-LD (CONSTRUCT)"))


def sparql_form(example: str) -> str:
    options = "".join(f'<option value="{v}">{escape(t)}</option>' for v, t in QUERY_FORMATS)
    return (
        '<form action="/sparql" method="get"><textarea name="query" rows="12" spellcheck="false">'
        f"{escape(example)}</textarea><p><label>answer as <select name=\"format\">{options}</select></label> "
        '<button type="submit">Run query</button></p></form>'
        '<p class="muted">The project\'s prefixes (opsi:, dct:, skos:, case:, theme:, country:, ...) are declared '
        "already. The default graph is the union of the named graphs.</p>"
    )


def _query_form(q) -> str:
    fields = []
    for p in q.params:
        value = escape(p.default or "")
        fields.append(
            f'<label>{escape(p.name)} <input name="{escape(p.name)}" value="{value}" title="{escape(p.doc)}"></label> '
        )
    options = "".join(f'<option value="{v}">{v}</option>' for v in ("html", "json", "csv"))
    return (
        f'<form action="/api/queries/{escape(q.name)}" method="get">{"".join(fields)}'
        f'<label>as <select name="format">{options}</select></label> <button type="submit">Run</button></form>'
    )


def render_home(queries: Iterable, graph_sizes: Mapping[str, int], example: str, limits: str) -> str:
    """The home page: what is served, the saved-query catalogue with a form each, and a SPARQL form."""
    queries = list(queries)
    parts = [
        "<p>A knowledge graph of public-sector innovation cases, their countries, actors and themes. "
        'Query it with SPARQL 1.1 at <a href="/sparql"><code>/sparql</code></a>, run the saved queries below '
        '(also as an API, see <a href="/openapi.json">OpenAPI</a>), or follow the links from any resource, '
        'for example <a href="/id/scheme/themes">the theme scheme</a>.</p>',
        "<table><thead><tr><th>graph</th><th>triples</th></tr></thead><tbody>",
    ]
    parts += [f"<tr><td><code>{escape(g)}</code></td><td>{n}</td></tr>" for g, n in sorted(graph_sizes.items())]
    parts.append(f'</tbody></table><p class="muted">{escape(limits)}</p>')
    parts.append("<h2>SPARQL</h2>" + sparql_form(example))
    for heading, group in (
        ("Saved queries", [q for q in queries if not q.is_qc]),
        ("Quality checks (should return no rows)", [q for q in queries if q.is_qc]),
    ):
        if not group:
            continue
        anchor = "saved-queries" if heading == "Saved queries" else "quality-checks"
        parts.append(f'<h2 id="{anchor}">{escape(heading)}</h2>')
        for q in group:
            tags = f' <span class="muted">{escape(", ".join(q.tags))}</span>' if q.tags else ""
            parts.append(
                f"<fieldset><legend><strong>{escape(q.title or q.name)}</strong> "
                f"<code>{escape(q.name)}</code>{tags}</legend><p>{escape(q.summary)}</p>{_query_form(q)}</fieldset>"
            )
    return layout("Public-sector innovation cases: SPARQL endpoint and saved queries", "".join(parts), "index.html")
