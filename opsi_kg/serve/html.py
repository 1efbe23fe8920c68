"""HTML for people: the home page, resource pages and result tables. Plain HTML, no scripts.

A minimal renderer kept behind a few functions so that the static site renderer (the
``opsi_kg.publish`` package, when it lands) can take over resource pages by replacing
:func:`render_resource_page` alone. Every value is escaped.

>>> "&lt;b&gt;" in render_error(400, "<b>")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..namespaces import compact
from .linked_data import ResourceView

Link = Callable[[str], str | None]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1rem;padding-bottom:.5rem}
header a{margin-right:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
code,textarea,pre{font-family:ui-monospace,monospace;font-size:.9rem}
textarea{width:100%;box-sizing:border-box}
.muted{color:#666;font-size:.85rem}
.error{border-left:4px solid #b00;padding:.5rem 1rem;background:#fff4f4}
fieldset{border:1px solid #ddd;margin:.5rem 0 1rem}
"""


def layout(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)} · opsi-kg</title><style>{_STYLE}</style></head><body>"
        "<header><a href=\"/\"><strong>opsi-kg</strong></a><a href=\"/sparql\">SPARQL</a>"
        "<a href=\"/api/queries\">saved queries (JSON)</a><a href=\"/openapi.json\">OpenAPI</a></header>"
        f"<main>{body}</main></body></html>\n"
    )


def _iri(iri: str, link: Link, label: str | None = None) -> str:
    href = link(iri) or iri
    text = label or compact(iri)
    return f'<a href="{escape(href)}" title="{escape(iri)}">{escape(text)}</a>'


def term_html(term: Node, link: Link, labels: Mapping[str, str] | None = None) -> str:
    """One RDF term: a link for an IRI (to its page here when it has one), a value for a literal."""
    if isinstance(term, URIRef):
        return _iri(str(term), link, (labels or {}).get(str(term)))
    if isinstance(term, Literal):
        note = ""
        if term.language:
            note = f' <span class="muted">@{escape(term.language)}</span>'
        elif term.datatype and term.datatype != XSD.string:
            note = f' <span class="muted">{escape(compact(str(term.datatype)))}</span>'
        return escape(str(term)) + note
    return f"<code>_:{escape(str(term))}</code>"


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
    title: str, doc: dict, link: Link, *, intro: str = "", downloads: Iterable[tuple[str, str]] = ()
) -> str:
    """SPARQL JSON results (a table or a boolean) as a page."""
    parts = [f"<h1>{escape(title)}</h1>", intro]
    if downloads:
        parts.append("<p>" + " · ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in downloads) + "</p>")
    if "boolean" in doc:
        parts.append(f"<p><strong>{'yes' if doc['boolean'] else 'no'}</strong></p>")
        return layout(title, "".join(parts))
    names = doc.get("head", {}).get("vars", [])
    rows = doc.get("results", {}).get("bindings", [])
    parts.append(f'<p class="muted">{len(rows)} row{"s" if len(rows) != 1 else ""}</p>')
    parts.append("<table><thead><tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_json_cell(row.get(n), link)}</td>" for n in names) + "</tr>")
    parts.append("</tbody></table>")
    return layout(title, "".join(parts))


def render_resource_page(view: ResourceView, link: Link, alternates: Iterable[tuple[str, str]] = ()) -> str:
    """The page of one resource: its types, its statements, and what points at it."""
    parts = [f"<h1>{escape(view.label)}</h1>", f"<p><code>{escape(view.iri)}</code></p>"]
    if view.types:
        parts.append("<p>a " + ", ".join(_iri(t, link, label) for t, label in view.types) + "</p>")
    if alternates:
        parts.append(
            '<p class="muted">also as '
            + " · ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in alternates)
            + "</p>"
        )
    parts.append("<table><thead><tr><th>property</th><th>value</th></tr></thead><tbody>")
    for p, p_label, values in view.statements:
        cells = "<br>".join(term_html(v, link, view.labels) for v in values)
        parts.append(f"<tr><td>{_iri(p, link, p_label)}</td><td>{cells}</td></tr>")
    parts.append("</tbody></table>")
    if view.incoming:
        parts.append("<h2>Referenced by</h2><table><thead><tr><th>resource</th><th>property</th></tr></thead><tbody>")
        for s, s_label, p_label in view.incoming:
            parts.append(f"<tr><td>{_iri(s, link, s_label)}</td><td>{escape(p_label)}</td></tr>")
        parts.append("</tbody></table>")
    return layout(view.label, "".join(parts))


def render_error(status: int, message: str) -> str:
    return layout(f"Error {status}", f'<h1>Error {status}</h1><p class="error">{escape(message)}</p>')


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
        "<h1>opsi-kg: public-sector innovation cases</h1>",
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
        parts.append(f"<h2>{escape(heading)}</h2>")
        for q in group:
            tags = f' <span class="muted">{escape(", ".join(q.tags))}</span>' if q.tags else ""
            parts.append(
                f"<fieldset><legend><strong>{escape(q.title or q.name)}</strong> "
                f"<code>{escape(q.name)}</code>{tags}</legend><p>{escape(q.summary)}</p>{_query_form(q)}</fieldset>"
            )
    return layout("SPARQL endpoint and saved queries", "".join(parts))
