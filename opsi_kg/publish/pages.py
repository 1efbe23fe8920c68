"""Linked-data pages: one HTML page per resource, from an rdflib graph or a SPARQL store.

:func:`render_resource_page` is the one entry point. It reads what is said about a resource
(outgoing statements, incoming ones, inferred ones kept apart, blank nodes and same-document
``#fragment`` resources nested in the page), and renders it with every IRI value as a link. The
static site calls it with a graph and a :class:`~opsi_kg.publish.html.Linker`; a live server can
call it with an embedded or remote store and its own ``link`` function.

>>> from rdflib import Graph, Literal, URIRef
>>> from rdflib.namespace import DCTERMS
>>> g = Graph()
>>> case = URIRef("https://w3id.org/opsi-kg/id/case/a")
>>> _ = g.add((case, DCTERMS.title, Literal("A <case>", lang="en")))
>>> page = render_resource_page(g, case)
>>> '<h1><span lang="en">A &lt;case&gt;</span></h1>' in page
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from ..namespaces import INFERRED_GRAPH, OPSI, SCHEMA
from .html import DESCRIPTION_PROPERTIES, LABEL_PROPERTIES, VCARD, Frame, Labels, esc, link, term_html

SPDX = URIRef("http://spdx.org/rdf/terms#")
DCATAP = "http://data.europa.eu/r5r/"

# Readable names for the terms of other vocabularies that pages show (the opsi: terms are named
# by rdfs:label in ontology/opsi.ttl).
EXTERNAL_LABELS: dict[URIRef, str] = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.comment: "comment",
    RDFS.seeAlso: "see also",
    RDFS.isDefinedBy: "defined by",
    OWL.sameAs: "same as",
    DCTERMS.title: "title",
    DCTERMS.description: "description",
    DCTERMS.identifier: "identifier",
    DCTERMS.source: "source",
    DCTERMS.spatial: "spatial coverage",
    DCTERMS.subject: "subject",
    DCTERMS.license: "licence",
    DCTERMS.publisher: "publisher",
    DCTERMS.issued: "issued",
    DCTERMS.modified: "modified",
    DCTERMS.format: "format",
    DCTERMS.language: "language",
    DCTERMS.temporal: "temporal coverage",
    DCTERMS.type: "type",
    DCTERMS.conformsTo: "conforms to",
    DCTERMS.bibliographicCitation: "citation",
    PROV.wasDerivedFrom: "derived from",
    PROV.wasAssociatedWith: "associated with",
    SKOS.prefLabel: "preferred label",
    SKOS.altLabel: "alternative label",
    SKOS.definition: "definition",
    SKOS.notation: "notation",
    SKOS.inScheme: "in scheme",
    SKOS.broader: "broader",
    SKOS.narrower: "narrower",
    SKOS.topConceptOf: "top concept of",
    SKOS.hasTopConcept: "top concept",
    SKOS.exactMatch: "exact match",
    SKOS.editorialNote: "editorial note",
    SCHEMA.funder: "funder",
    FOAF.name: "name",
    FOAF.homepage: "homepage",
    VCARD.fn: "name",
    VCARD.hasEmail: "email",
    VCARD.hasURL: "web page",
    DCAT.dataset: "dataset",
    DCAT.distribution: "distribution",
    DCAT.accessURL: "access URL",
    DCAT.downloadURL: "download URL",
    DCAT.mediaType: "media type",
    DCAT.byteSize: "size in bytes",
    DCAT.keyword: "keyword",
    DCAT.theme: "theme",
    DCAT.themeTaxonomy: "theme taxonomy",
    DCAT.contactPoint: "contact point",
    DCAT.landingPage: "landing page",
    DCAT.startDate: "start",
    DCAT.endDate: "end",
    URIRef(str(DCAT) + "version"): "version",
    URIRef(DCATAP + "availability"): "availability",
    URIRef(str(SPDX) + "checksum"): "checksum",
    URIRef(str(SPDX) + "algorithm"): "algorithm",
    URIRef(str(SPDX) + "checksumValue"): "checksum value",
    VOID.triples: "triples",
    VOID.entities: "entities",
    VOID.classes: "classes",
    VOID.properties: "properties",
    VOID.distinctSubjects: "distinct subjects",
    VOID.distinctObjects: "distinct objects",
    VOID.classPartition: "class partition",
    VOID.propertyPartition: "property partition",
    VOID["class"]: "class",
    VOID.property: "property",
    VOID.dataDump: "data dump",
    VOID.uriSpace: "URI space",
    VOID.exampleResource: "example resource",
    VOID.vocabulary: "vocabulary",
    VOID.feature: "feature",
}

# How a list of incoming links reads on the page of their object ("Cases in this country").
INCOMING_HEADINGS: dict[URIRef, str] = {  # in the order the groups appear on a page
    OPSI.country: "Cases in this country",
    OPSI.theme: "Cases with this theme",
    OPSI.addressesTheme: "Cases addressing this theme (with its narrower themes)",
    OPSI.inRegion: "Cases in this region",
    OPSI.levelOfGovernment: "Cases at this level of government",
    OPSI.sdg: "Cases contributing to this goal",
    OPSI.ledBy: "Leads",
    OPSI.partner: "Partner in",
    OPSI.fundedBy: "Funds",
    OPSI.involves: "Involved in",
    OPSI.award: "Awarded to",
    OPSI.basedIn: "Organisations based here",
    OPSI.actorType: "Organisations of this type",
    OPSI.memberCountry: "Member of",
    OPSI.memberOf: "Member countries",
    SKOS.broader: "Narrower concepts",
    SKOS.narrower: "Broader concepts",
    SKOS.topConceptOf: "Top concepts",
    SKOS.inScheme: "Concepts in this scheme",
    SKOS.hasTopConcept: "Scheme",
    DCAT.dataset: "Catalogue",
    DCTERMS.publisher: "Publisher of",
    PROV.wasDerivedFrom: "Derived from this record",
    OPSI.linkedTo: "Linking decisions that chose this",
}

# Inferred statements that only restate an asserted one through a super-property or a
# super-class; they are listed under "All inferred statements", not in the main table.
QUIET_INFERRED = frozenset({RDF.type, DCTERMS.spatial, DCTERMS.subject, PROV.wasAssociatedWith, SCHEMA.funder})
FIRST = (RDF.type, *LABEL_PROPERTIES, *DESCRIPTION_PROPERTIES)


@dataclass(frozen=True)
class Statement:
    """One statement seen from the resource: its predicate and the other end (object or subject)."""

    predicate: URIRef
    value: Node
    inferred: bool = False


@dataclass
class Description:
    """What a source says about one resource."""

    iri: URIRef
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    nested: dict[Node, list[Statement]] = field(default_factory=dict)

    def terms(self) -> set[Node]:
        """Every resource the page names (to look up labels for)."""
        found: set[Node] = {self.iri}
        for st in [*self.outgoing, *self.incoming, *(s for sts in self.nested.values() for s in sts)]:
            found.add(st.predicate)
            if not isinstance(st.value, Literal):
                found.add(st.value)
        return found

    def graph(self) -> Graph:
        """The asserted statements as triples (what the resource's .ttl and .jsonld files hold)."""
        g = Graph()
        for st in self.outgoing:
            if not st.inferred:
                g.add((self.iri, st.predicate, st.value))
        for st in self.incoming:
            if not st.inferred:
                g.add((st.value, st.predicate, self.iri))
        for node, sts in self.nested.items():
            for st in sts:
                if not st.inferred:
                    g.add((node, st.predicate, st.value))
        return g

    @property
    def empty(self) -> bool:
        return not (self.outgoing or self.incoming)


class ResourceSource(Protocol):
    def describe(self, iri: URIRef) -> Description: ...

    def labels(self, terms: Iterable[Node], lang: str = "en") -> Labels: ...


def _nested_candidate(node: Node, doc: str) -> bool:
    return isinstance(node, BNode) or (isinstance(node, URIRef) and str(node).startswith(doc + "#"))


def _sorted_statements(statements: Iterable[Statement]) -> list[Statement]:
    def key(st: Statement):
        v = st.value
        return (
            str(st.predicate),
            type(v).__name__,
            str(v),
            getattr(v, "language", None) or "",
            str(getattr(v, "datatype", None) or ""),
            st.inferred,
        )

    return sorted(set(statements), key=key)


class GraphSource:
    """Descriptions from rdflib graphs: ``graph`` (asserted and vocabulary) and ``inferred``."""

    def __init__(self, graph: Graph, inferred: Graph | None = None, labels: Labels | None = None):
        self.graph = graph
        self.inferred = inferred if inferred is not None else Graph()
        self._labels = labels

    def _out(self, node: Node) -> list[Statement]:
        asserted = {(p, o) for p, o in self.graph.predicate_objects(node)}
        out = [Statement(p, o) for p, o in asserted]
        out += [Statement(p, o, True) for p, o in self.inferred.predicate_objects(node) if (p, o) not in asserted]
        return _sorted_statements(out)

    def describe(self, iri: URIRef) -> Description:
        iri = URIRef(iri)
        desc = Description(iri, self._out(iri))
        asserted = {(s, p) for s, p in self.graph.subject_predicates(iri)}
        incoming = [Statement(p, s) for s, p in asserted]
        incoming += [Statement(p, s, True) for s, p in self.inferred.subject_predicates(iri) if (s, p) not in asserted]
        desc.incoming = _sorted_statements(st for st in incoming if not _nested_candidate(st.value, str(iri)))
        todo = [st.value for st in desc.outgoing if _nested_candidate(st.value, str(iri))]
        while todo:
            node = todo.pop(0)
            if node in desc.nested or node == iri:
                continue
            desc.nested[node] = self._out(node)
            todo += [st.value for st in desc.nested[node] if _nested_candidate(st.value, str(iri))]
        return desc

    def labels(self, terms: Iterable[Node] = (), lang: str = "en") -> Labels:
        if self._labels is None:
            self._labels = Labels(lang=lang)
            self._labels.add_graph(self.graph)
            add_external_labels(self._labels)
        return self._labels


class StoreSource:
    """Descriptions from a SPARQL store (:mod:`opsi_kg.store` or :mod:`opsi_kg.remote`) with named graphs.

    Statements in the graph ``inferred_graph`` are marked inferred. Blank nodes are not followed
    (a store cannot be asked about a blank node it returned); ``#fragment`` resources are.
    """

    def __init__(self, store, inferred_graph: URIRef = INFERRED_GRAPH):
        self.store = store
        self.inferred_graph = URIRef(inferred_graph)

    def _rows(self, sparql: str) -> list[tuple]:
        return list(self.store.query(sparql).rows)

    def _out(self, node: URIRef) -> list[Statement]:
        rows = self._rows(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node.n3()} ?p ?o }} }}")
        asserted = {(p, o) for p, o, g in rows if g != self.inferred_graph}
        out = [Statement(p, o) for p, o in asserted]
        out += [Statement(p, o, True) for p, o, g in rows if g == self.inferred_graph and (p, o) not in asserted]
        return _sorted_statements(out)

    def describe(self, iri: URIRef) -> Description:
        iri = URIRef(iri)
        desc = Description(iri, self._out(iri))
        rows = self._rows(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {iri.n3()} }} }}")
        asserted = {(s, p) for s, p, g in rows if g != self.inferred_graph}
        incoming = [Statement(p, s) for s, p in asserted]
        incoming += [Statement(p, s, True) for s, p, g in rows if g == self.inferred_graph and (s, p) not in asserted]
        desc.incoming = _sorted_statements(st for st in incoming if not _nested_candidate(st.value, str(iri)))
        doc = str(iri)
        todo = [st.value for st in desc.outgoing if isinstance(st.value, URIRef) and _nested_candidate(st.value, doc)]
        while todo:
            node = todo.pop(0)
            if node in desc.nested:
                continue
            desc.nested[node] = self._out(node)
            todo += [
                st.value
                for st in desc.nested[node]
                if isinstance(st.value, URIRef) and _nested_candidate(st.value, doc)
            ]
        return desc

    def labels(self, terms: Iterable[Node], lang: str = "en") -> Labels:
        iris = sorted({t for t in terms if isinstance(t, URIRef)}, key=str)
        g = Graph()
        props = " ".join(p.n3() for p in LABEL_PROPERTIES)
        for start in range(0, len(iris), 200):
            values = " ".join(t.n3() for t in iris[start : start + 200])
            sparql = f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} ?x ?p ?l }}"
            for x, p, lit in self._rows(sparql):
                g.add((x, p, lit))
        labels = Labels(g, lang=lang)
        add_external_labels(labels)
        return labels


def add_external_labels(labels: Labels) -> None:
    """Name the other vocabularies' terms pages show, unless the graph already named them."""
    for term, text in EXTERNAL_LABELS.items():
        if labels.get(term) is None:
            labels.set(term, Literal(text, lang="en"))


def as_source(source) -> ResourceSource:
    """A :class:`ResourceSource` for a graph, a dataset with named graphs, a build result or a store."""
    if hasattr(source, "describe") and hasattr(source, "labels"):
        return source
    if isinstance(source, Dataset):
        main, inferred = Graph(), Graph()
        for g in source.graphs():
            target = inferred if g.identifier == INFERRED_GRAPH else main
            for triple in g:
                target.add(triple)
        return GraphSource(main, inferred)
    if isinstance(source, Graph):
        return GraphSource(source)
    if hasattr(source, "asserted") and hasattr(source, "inferred"):  # a BuildResult
        main = Graph()
        for part in (source.asserted, source.vocabularies):
            for triple in part:
                main.add(triple)
        return GraphSource(main, source.inferred)
    if hasattr(source, "query"):
        return StoreSource(source)
    raise TypeError(f"cannot read resources from {type(source).__name__}")


# ---------------------------------------------------------------- rendering

Link = Callable[[str], str | None]


def _default_link(iri: str) -> str | None:
    return iri if iri.startswith(("http://", "https://")) else None


def _predicate_order(
    predicates: Iterable[URIRef], labels: Labels, inferred_only: frozenset[URIRef] = frozenset()
) -> list[URIRef]:
    """Types, names and descriptions first, then by label; predicates with only inferred values last."""
    first = {p: i for i, p in enumerate(FIRST)}
    return sorted(
        set(predicates),
        key=lambda p: (first.get(p, len(first)), p in inferred_only, labels.text(p).casefold(), str(p)),
    )


def _value_sort(labels: Labels):
    def key(st: Statement):
        v = st.value
        if isinstance(v, Literal):
            return (0, v.language or "", str(v).casefold(), str(v))
        return (1, labels.text(v).casefold(), str(v))

    return key


def _fragment(node: Node) -> str:
    return str(node).split("#", 1)[1] if isinstance(node, URIRef) and "#" in str(node) else f"b-{node}"


def _values_html(
    statements: list[Statement], labels: Labels, link_fn: Link, nested: Mapping[Node, list[Statement]]
) -> str:
    items = []
    for st in sorted(statements, key=_value_sort(labels)):
        if st.value in nested:
            href = "#" + _fragment(st.value)
            inner = link(href, labels.html(st.value) if isinstance(st.value, URIRef) else "(details below)")
        else:
            href = link_fn(str(st.value)) if isinstance(st.value, URIRef) else None
            inner = term_html(st.value, labels, href)
        badge = (
            ' <span class="badge inferred" title="inferred by OWL RL reasoning">inferred</span>' if st.inferred else ""
        )
        items.append(f"<li>{inner}{badge}</li>")
    cls = "values" if len(items) > 1 else "values single"
    return f'<ul class="{cls}">' + "".join(items) + "</ul>"


def _property_rows(statements: list[Statement], labels: Labels, link_fn: Link, nested) -> str:
    by_pred: dict[URIRef, list[Statement]] = {}
    for st in statements:
        by_pred.setdefault(st.predicate, []).append(st)
    inferred_only = frozenset(p for p, sts in by_pred.items() if all(st.inferred for st in sts))
    rows = []
    for p in _predicate_order(by_pred, labels, inferred_only):
        name = link(link_fn(str(p)), labels.html(p), title=str(p))
        rows.append(
            f'<tr><th scope="row">{name}</th><td>{_values_html(by_pred[p], labels, link_fn, nested)}</td></tr>\n'
        )
    return "".join(rows)


def _visible(statements: Iterable[Statement]) -> list[Statement]:
    return [st for st in statements if not (st.inferred and st.predicate in QUIET_INFERRED)]


def render_resource_body(desc: Description, labels: Labels, link_fn: Link | None = None, *, alternates=None) -> str:
    """The inside of a resource page (everything below its heading), as HTML."""
    link_fn = link_fn or _default_link
    out = []
    iri = str(desc.iri)
    alt = ""
    if alternates:
        names = {"text/turtle": "Turtle", "application/ld+json": "JSON-LD", "application/n-triples": "N-Triples"}
        alt = " · ".join(
            f'<a href="{esc(href)}" type="{esc(mt)}">{esc(names.get(mt, mt))}</a>' for mt, href in alternates.items()
        )
        alt = f' <span class="alternates">as {alt}</span>'
    out.append(f'<p class="iri">IRI <code>{esc(iri)}</code>{alt}</p>')
    types = [st for st in desc.outgoing if st.predicate == RDF.type and not st.inferred]
    if types:
        badges = " ".join(
            link(link_fn(str(st.value)), labels.html(st.value), cls="type", title=str(st.value))
            for st in sorted(types, key=_value_sort(labels))
        )
        out.append(f'<p class="types">{badges}</p>')
    for prop in DESCRIPTION_PROPERTIES:
        texts = [st.value for st in desc.outgoing if st.predicate == prop and isinstance(st.value, Literal)]
        for text in sorted(texts, key=lambda lit: (lit.language or "", str(lit))):
            lang = f' lang="{esc(text.language)}"' if text.language else ""
            out.append(f'<p class="description"{lang}>{esc(text)}</p>')
        if texts:
            break
    if desc.empty:
        out.append('<p class="empty">Nothing is known about this resource in the data.</p>')
    main = _visible(desc.outgoing)
    if main:
        out.append('<section id="properties"><h2>Properties</h2>')
        out.append('<table class="props"><tbody>\n' + _property_rows(main, labels, link_fn, desc.nested))
        out.append("</tbody></table></section>")
    incoming = _visible(desc.incoming)
    if incoming:
        out.append('<section id="incoming"><h2>Referenced by</h2>')
        by_pred: dict[URIRef, list[Statement]] = {}
        for st in incoming:
            by_pred.setdefault(st.predicate, []).append(st)
        rank = {p: i for i, p in enumerate(INCOMING_HEADINGS)}
        for p in sorted(by_pred, key=lambda p: (rank.get(p, len(rank) - 2.5), labels.text(p).casefold(), str(p))):
            sts = by_pred[p]
            heading = INCOMING_HEADINGS.get(p)
            heading_html = esc(heading) if heading else f"Is <em>{labels.html(p)}</em> of"
            inferred = all(st.inferred for st in sts)
            note = ' <span class="badge inferred">inferred</span>' if inferred else ""
            out.append(
                f'<h3 data-property="{esc(str(p))}">{heading_html} <span class="count">({len(sts)})</span>{note}</h3>'
            )
            out.append(_values_html([Statement(p, st.value, False) for st in sts], labels, link_fn, {}))
        out.append("</section>")
    if desc.nested:
        out.append('<section id="details"><h2>Details</h2>')
        for node in sorted(desc.nested, key=lambda n: str(n)):
            title = labels.html(node) if isinstance(node, URIRef) else "(anonymous)"
            out.append(f'<div class="nested" id="{esc(_fragment(node))}"><h3>{title}</h3>')
            if isinstance(node, URIRef):
                out.append(f'<p class="iri">IRI <code>{esc(str(node))}</code></p>')
            out.append('<table class="props"><tbody>\n')
            out.append(_property_rows(_visible(desc.nested[node]), labels, link_fn, desc.nested))
            out.append("</tbody></table></div>")
        out.append("</section>")
    inferred = [st for st in desc.outgoing if st.inferred]
    inferred_in = [st for st in desc.incoming if st.inferred]
    if inferred or inferred_in:
        out.append(
            f'<details id="inferred"><summary>All inferred statements ({len(inferred) + len(inferred_in)})</summary>'
        )
        if inferred:
            out.append('<table class="props"><tbody>\n' + _property_rows(inferred, labels, link_fn, {}))
            out.append("</tbody></table>")
        if inferred_in:
            rows = "".join(
                f"<li>{term_html(st.value, labels, link_fn(str(st.value)))} "
                f"<em>{link(link_fn(str(st.predicate)), labels.html(st.predicate))}</em> this</li>"
                for st in sorted(inferred_in, key=_value_sort(labels))
            )
            out.append(f'<ul class="values">{rows}</ul>')
        out.append("</details>")
    return "\n".join(out)


def render_resource_page(
    source,
    iri: str | URIRef,
    *,
    link: Link | None = None,
    labels: Labels | None = None,
    frame: Frame | None = None,
    current: str = "resource.html",
    alternates: Mapping[str, str] | None = None,
    canonical: str | None = None,
    description: Description | None = None,
) -> str:
    """A complete HTML page about ``iri``.

    ``source`` is an rdflib Graph, a Dataset (the named graph ``…/graph/inferred`` is shown as
    inferred), a :class:`~opsi_kg.pipeline.BuildResult`, a store with ``query()`` (embedded or
    remote; inferred = its inferred named graph), or a :class:`ResourceSource`. ``link`` maps an
    IRI to the href of its page (None for no link; the default links http(s) IRIs to themselves).
    ``frame`` gives the site chrome, ``current`` the page's path for relative links inside it,
    ``alternates`` media type -> href of the same resource in other formats.
    """
    src = as_source(source)
    iri = URIRef(iri)
    desc = description if description is not None else src.describe(iri)
    labels = labels if labels is not None else src.labels(desc.terms())
    frame = frame or Frame()
    title = labels.text(iri)
    title_html = labels.html(iri)
    head = ""
    for media_type, href in (alternates or {}).items():
        head += f'<link rel="alternate" type="{esc(media_type)}" href="{esc(href)}">\n'
    body = render_resource_body(desc, labels, link, alternates=alternates)
    types = [st.value for st in desc.outgoing if st.predicate == RDF.type and not st.inferred]
    kinds = sorted({"type-" + _local_name(str(t)).lower() for t in types})
    return frame.page(
        current,
        title,
        body,
        title_html=title_html,
        head_extra=head,
        canonical=canonical,
        page_class=" ".join(["resource", *kinds]),
    )


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            iri = iri.rstrip(sep).rsplit(sep, 1)[1]
    return "".join(c if c.isalnum() or c == "-" else "-" for c in iri)


def literal_text(term: Node) -> str:
    """A literal's lexical form; years as written (``2017``), not as ``xsd:gYear`` values."""
    if isinstance(term, Literal) and term.datatype == XSD.gYear:
        return str(term)[:4]
    return str(term)
