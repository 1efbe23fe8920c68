"""Linked data: the description of one resource of the graph, looked up by its IRI.

A resource's description (what ``.ttl``, ``.nt``, ``.jsonld`` and ``.rdf`` give) is its concise
bounded description: every triple with it as subject, in any of the graphs, plus the triples of
the blank nodes those reach. HTML pages come from the site renderer
(:func:`opsi_kg.publish.render_resource_page`), which also shows what points at the resource.

Request paths under a prefix (default ``/id/``) map to IRIs under the base: ``/id/case/x`` is
``<base>case/x``, whatever host the IRIs redirect to (w3id.org sends
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

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import DEFAULT_BASE, bind_prefixes
from ..store import _from_ox


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
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # not an IRI at all (a space, a bad escape): nothing to find
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None)), None) is not None

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
