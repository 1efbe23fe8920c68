"""HTML building blocks shared by every page: escaping, preferred labels, links and the page frame.

Nothing here knows about the static site's folders: a :class:`Linker` maps IRIs to paths, and the
page frame only needs the relative path to the site root. Everything written into HTML goes
through :func:`esc` (text and attribute values alike).

>>> esc('<a href="x">Tom & Jerry</a>')
'&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;'
>>> Linker({"https://ex.org/id/case/a": "case/a.html"}).href("https://ex.org/id/case/a", "theme/t.html")
'../case/a.html'
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS, Namespace
from rdflib.term import Node

from ..namespaces import OPSI, PREFIXES, compact

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# Where a resource's name comes from, best first. dct:title names cases and datasets,
# skos:prefLabel concepts, rdfs:label actors and awards, foaf:name and vcard:fn agents.
LABEL_PROPERTIES = (SKOS.prefLabel, DCTERMS.title, RDFS.label, FOAF.name, VCARD.fn, OPSI.sourceLocation)
DESCRIPTION_PROPERTIES = (DCTERMS.description, SKOS.definition, RDFS.comment, SKOS.scopeNote)


def short_iri(iri: str) -> str:
    """An IRI shortened for reading: a prefixed name when it is one, else ``prefix:rest/of/path``.

    >>> short_iri("https://w3id.org/opsi-kg/id/record/x/countries-1")
    'id:record/x/countries-1'
    """
    short = compact(iri)
    if short != iri:
        return short
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def esc(value: object) -> str:
    """Escape text for HTML element content and (double-quoted) attribute values."""
    return html.escape(str(value), quote=True)


def lang_attr(term: Node | None) -> str:
    """``' lang="xx"'`` for a language-tagged literal, else ``''``."""
    if isinstance(term, Literal) and term.language:
        return f' lang="{esc(term.language)}"'
    return ""


def pick_language(literals: Iterable[Literal], lang: str = "en") -> Literal | None:
    """The literal to show a reader of ``lang``: that language, then untagged, then English, then any.

    >>> pick_language([Literal("Frankreich", lang="de"), Literal("France", lang="en")], "en")
    rdflib.term.Literal('France', lang='en')
    """
    items = sorted(
        (lit for lit in literals if isinstance(lit, Literal)), key=lambda lit: (lit.language or "", str(lit))
    )
    if not items:
        return None
    for wanted in (lang, None, "en"):
        for lit in items:
            if (lit.language or None) == wanted or (wanted and lit.language and lit.language.lower() == wanted.lower()):
                return lit
    return items[0]


class Labels:
    """Preferred labels of every resource of a graph, computed once (one per language wanted).

    >>> g = Graph(); s = URIRef("https://ex.org/a")
    >>> g.add((s, SKOS.prefLabel, Literal("A", lang="en")))  # doctest: +ELLIPSIS
    <Graph ...>
    >>> Labels(g).text(s), Labels(g).text(URIRef("https://w3id.org/opsi-kg/ontology#Case"))
    ('A', 'opsi:Case')
    """

    def __init__(self, graph: Graph | None = None, lang: str = "en"):
        self.lang = lang
        self._labels: dict[Node, Literal] = {}
        if graph is not None:
            self.add_graph(graph)

    def add_graph(self, graph: Graph) -> None:
        found: dict[Node, dict[int, list[Literal]]] = {}
        for rank, prop in enumerate(LABEL_PROPERTIES):
            for s, o in graph.subject_objects(prop):
                if isinstance(o, Literal):
                    found.setdefault(s, {}).setdefault(rank, []).append(o)
        for s, ranks in found.items():
            best = ranks[min(ranks)]
            chosen = pick_language(best, self.lang)
            if chosen is not None and s not in self._labels:  # an earlier graph's label wins
                self._labels[s] = chosen

    def set(self, term: Node, label: Literal) -> None:
        self._labels[term] = label

    def get(self, term: Node) -> Literal | None:
        return self._labels.get(term)

    def text(self, term: Node) -> str:
        """The label's text, or the IRI shortened with the project prefixes."""
        label = self._labels.get(term)
        if label is not None:
            return str(label)
        if isinstance(term, URIRef):
            return short_iri(str(term))
        return str(term)

    def sort_key(self, term: Node) -> tuple[str, str]:
        return (self.text(term).casefold(), str(term))

    def html(self, term: Node) -> str:
        """The label as escaped HTML, in a ``<span lang>`` when the label is language-tagged."""
        label = self._labels.get(term)
        if label is not None and label.language:
            return f"<span{lang_attr(label)}>{esc(label)}</span>"
        return esc(self.text(term))


@dataclass
class Linker:
    """Maps IRIs to site paths (relative to the site root) and makes relative links between pages.

    An IRI with a fragment links to its document's page with the fragment as anchor
    (``…/dataset#ttl`` -> ``dataset.html#ttl``) when the document has a page.
    """

    paths: Mapping[str, str]
    external: bool = True  # link IRIs without a page to themselves (http/https only)

    def path(self, iri: str) -> str | None:
        """The page of ``iri`` relative to the site root, or None."""
        found = self.paths.get(iri)
        if found is not None:
            return found
        if "#" in iri:
            doc, frag = iri.split("#", 1)
            page = self.paths.get(doc)
            if page is not None and "#" not in page:
                return f"{page}#{frag}"
        return None

    def href(self, iri: str, current: str) -> str | None:
        """A link from the page at ``current`` (site-root-relative) to the page of ``iri``."""
        target = self.path(iri)
        if target is None:
            if self.external and iri.startswith(("http://", "https://")):
                return iri
            return None
        return relative(target, current)


def relative(target: str, current: str) -> str:
    """The relative URL from page ``current`` to ``target`` (both relative to the site root).

    >>> relative("index.html#x", "case/a.html"), relative("case/b.html", "case/a.html")
    ('../index.html#x', 'b.html')
    """
    if target.startswith("/") or "://" in target:
        return target  # already absolute (a live server's paths, an external page)
    path, _, frag = target.partition("#")
    start = posixpath.dirname(current) or "."
    rel = posixpath.relpath(path, start) if path else posixpath.basename(current)
    return f"{rel}#{frag}" if frag else rel


def root_of(current: str) -> str:
    """The relative prefix from the page ``current`` to the site root (``''`` or ``'../'``...)."""
    depth = current.count("/")
    return "../" * depth


def link(href: str | None, inner_html: str, *, cls: str = "", title: str = "") -> str:
    """``<a>`` around already-escaped ``inner_html``; plain text when there is no link."""
    if not href:
        return inner_html
    attrs = f' href="{esc(href)}"'
    if cls:
        attrs += f' class="{esc(cls)}"'
    if title:
        attrs += f' title="{esc(title)}"'
    if href.startswith(("http://", "https://")):
        attrs += ' rel="external"'
    return f"<a{attrs}>{inner_html}</a>"


def term_html(term: Node, labels: Labels, href: str | None = None) -> str:
    """A value as HTML: a linked label for an IRI, a tagged span for a literal."""
    if isinstance(term, Literal):
        text = f"<span{lang_attr(term)}>{esc(term)}</span>" if term.language else esc(term)
        if term.datatype and not term.language:
            text += f' <span class="dt">{esc(compact(str(term.datatype)))}</span>'
        return text
    if isinstance(term, BNode):
        return '<span class="bnode">(anonymous)</span>'
    inner = labels.html(term)
    return link(href, inner, title=str(term))


@dataclass
class Frame:
    """What every page of the site shares: the site title, the menu and the footer."""

    site_title: str = "opsi-kg"
    lang: str = "en"
    nav: list[tuple[str, str]] = field(default_factory=list)  # (label, site-root-relative path)
    footer_html: str = ""
    stylesheet: str = "style.css"  # site-root-relative

    def page(
        self,
        current: str,
        title: str,
        body: str,
        *,
        title_html: str | None = None,
        head_extra: str = "",
        canonical: str | None = None,
        page_class: str = "",
    ) -> str:
        """A complete HTML5 document for the page at ``current`` (site-root-relative path)."""
        current_attr = ' aria-current="page"'
        nav = "".join(
            f'<li><a href="{esc(relative(path, current))}"{current_attr if path == current else ""}>'
            f"{esc(label)}</a></li>"
            for label, path in self.nav
        )
        home = relative("index.html", current)
        canon = f'<link rel="canonical" href="{esc(canonical)}">\n' if canonical else ""
        cls = f' class="{esc(page_class)}"' if page_class else ""
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{esc(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)} · {esc(self.site_title)}</title>\n"
            f'<link rel="stylesheet" href="{esc(relative(self.stylesheet, current))}">\n'
            f"{canon}{head_extra}</head>\n<body{cls}>\n"
            f'<header class="site"><a class="brand" href="{esc(home)}">{esc(self.site_title)}</a>'
            f'<nav aria-label="site"><ul>{nav}</ul></nav></header>\n'
            f'<main id="content">\n<h1>{title_html if title_html is not None else esc(title)}</h1>\n{body}\n</main>\n'
            f'<footer class="site">{self.footer_html}</footer>\n</body>\n</html>\n'
        )


def table(headers: list[str], rows: list[list[str]], *, cls: str = "", caption: str = "") -> str:
    """An HTML table; ``headers`` are plain text, cells are already-escaped HTML."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    c = f' class="{esc(cls)}"' if cls else ""
    return f"<table{c}>{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>\n"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``'1 case'``, ``'2 cases'``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"
