"""Linked data: the description of one resource of the graph, looked up by its IRI.

A resource's description is its concise bounded description (every triple with it as subject, in
any of the graphs, plus the triples of the blank nodes those reach); pages also show the triples
that point at it. Request paths under a prefix (default ``/id/``) map to IRIs under the base:
``/id/case/x`` is ``<base>case/x``, whatever host the IRIs redirect to (w3id.org sends
``https://w3id.org/opsi-kg/id/...`` on to the server's ``/id/...``).

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://w3id.org/opsi-kg/id/case/x"), ox.NamedNode("http://purl.org/dc/terms/title"),
...                   ox.Literal("X", language="en"), ox.NamedNode("https://w3id.org/opsi-kg/graph/asserted")))
>>> resources = Resources(store, "https://w3id.org/opsi-kg/id/")
>>> resources.prefix
'/id/'
>>> resources.find("case/x")
'https://w3id.org/opsi-kg/id/case/x'
>>> len(resources.describe("https://w3id.org/opsi-kg/id/case/x"))
1
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import DEFAULT_BASE, bind_prefixes, compact
from ..store import _from_ox

LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name)


@dataclass
class ResourceView:
    """What a resource page shows: the resource, its statements and the statements about it."""

    iri: str
    label: str
    types: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label)
    statements: list[tuple[str, str, list[Node]]] = field(default_factory=list)  # (pred IRI, pred label, values)
    incoming: list[tuple[str, str, str]] = field(default_factory=list)  # (subject IRI, subject label, pred label)
    labels: dict[str, str] = field(default_factory=dict)
    graph: Graph | None = None


class Resources:
    """Resource lookups over the server's in-process store (quick pattern matches, no SPARQL)."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE, prefix: str = "/id/"):
        self.store = store
        self.base = base
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        # vocabulary IRIs (themes, regions, ...) stay under the default base whatever the data base
        self.bases = [base] if base == DEFAULT_BASE else [base, DEFAULT_BASE]

    def path_for(self, iri: str) -> str | None:
        """The server path an IRI of the graph is served at, or None for IRIs from elsewhere."""
        for base in self.bases:
            if iri.startswith(base) and len(iri) > len(base):
                return self.prefix + iri[len(base) :]
        return None

    def exists(self, iri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None

    def find(self, rest: str) -> str | None:
        """The IRI a path below the prefix names, if the graph says anything about it."""
        for base in self.bases:
            iri = base + rest
            if self.exists(iri):
                return iri
        return None

    def describe(self, iri: str) -> Graph:
        """The concise bounded description of ``iri`` over all graphs, as one rdflib graph."""
        graph = bind_prefixes(Graph(), self.base)
        todo: list = [ox.NamedNode(iri)]
        seen = set()
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for quad in self.store.quads_for_pattern(subject, None, None):
                graph.add((_from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object)))
                if isinstance(quad.object, ox.BlankNode):
                    todo.append(quad.object)
        return graph

    def incoming(self, iri: str, limit: int = 1000) -> list[tuple[str, str]]:
        """(subject, predicate) of up to ``limit`` distinct triples pointing at ``iri``."""
        out: set[tuple[str, str]] = set()
        for quad in self.store.quads_for_pattern(None, None, ox.NamedNode(iri)):
            if isinstance(quad.subject, ox.NamedNode):
                out.add((quad.subject.value, quad.predicate.value))
                if len(out) >= limit:
                    break
        return sorted(out)

    def label(self, iri: str) -> str | None:
        """An English (or language-less) label of ``iri``, if the graph has one."""
        node = ox.NamedNode(iri)
        for predicate in LABELS:
            fallback = None
            for quad in self.store.quads_for_pattern(node, ox.NamedNode(str(predicate)), None):
                value = quad.object
                if isinstance(value, ox.Literal):
                    if value.language == "en":
                        return value.value
                    if not value.language or fallback is None:
                        fallback = value.value
            if fallback:
                return fallback
        return None

    def view(self, iri: str) -> ResourceView:
        """Everything a page about ``iri`` shows, with labels for the IRIs it mentions."""
        graph = self.describe(iri)
        labels: dict[str, str] = {}

        def name(term: str) -> str:
            if term not in labels:
                labels[term] = self.label(term) or compact(term)
            return labels[term]

        by_predicate: dict[str, list[Node]] = {}
        types = []
        for _s, p, o in graph.triples((URIRef(iri), None, None)):
            if p == RDF.type and isinstance(o, URIRef):
                types.append((str(o), name(str(o))))
                continue
            by_predicate.setdefault(str(p), []).append(o)
        statements = []
        for p in sorted(by_predicate, key=lambda x: compact(x)):
            values = sorted(by_predicate[p], key=lambda v: (not isinstance(v, URIRef), name(str(v)) if
                                                            isinstance(v, URIRef) else str(v)))
            for v in values:
                if isinstance(v, URIRef):
                    name(str(v))
            statements.append((p, compact(p), [v for v in values if not isinstance(v, BNode)]))
        incoming = [(s, name(s), compact(p)) for s, p in self.incoming(iri)]
        incoming.sort(key=lambda x: (x[2], x[1]))
        return ResourceView(
            iri=iri,
            label=self.label(iri) or compact(iri),
            types=sorted(types, key=lambda t: t[1]),
            statements=statements,
            incoming=incoming,
            labels=labels,
            graph=graph,
        )
