"""Stage 6, store: where queries run. Backends are picked by name from :data:`BACKENDS`.

* ``oxigraph`` (default): an embedded pyoxigraph store, fast at any size.
* ``rdflib``: rdflib's own SPARQL engine over an in-memory dataset, the reference.

Both load the same named graphs and query the union of them as the default graph, so a saved
query gives the same rows on either (the test suite checks this).

>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph(); _ = g.add((URIRef("http://ex/s"), URIRef("http://ex/p"), Literal("o")))
>>> store = open_store({URIRef("http://ex/g"): g}, backend="rdflib")
>>> store.select("SELECT ?o WHERE { ?s ?p ?o }").rows
[(rdflib.term.Literal('o'),)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.term import Node


class QueryError(Exception):
    """The query text is invalid or its evaluation failed."""


@dataclass
class QueryResult:
    """A SELECT table (vars + rows), an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @property
    def kind(self) -> str:
        if self.graph is not None:
            return "graph"
        return "boolean" if self.boolean is not None else "table"


def _values_clause(bindings: Mapping[str, Node]) -> str:
    """Bindings as a SPARQL VALUES block of serialised RDF terms (never raw user text)."""
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    return f"VALUES ({names}) {{ ({values}) }}"


def inline_bindings(sparql: str, bindings: Mapping[str, Node] | None) -> str:
    """Put bindings into a query for an endpoint that cannot take them separately.

    Each value is an RDF term serialised by rdflib (IRIs and literals escaped), added as a
    VALUES block at the start of the outermost WHERE group, so a value cannot change the query.

    >>> from rdflib import Literal
    >>> inline_bindings("SELECT ?x WHERE { ?x ?p ?o }", {"o": Literal('x" } DROP ALL #')})
    'SELECT ?x WHERE { VALUES (?o) { ("x\\\\" } DROP ALL #") } ?x ?p ?o }'
    """
    if not bindings:
        return sparql
    m = re.search(r"\bWHERE\s*\{", sparql, flags=re.IGNORECASE)
    if not m:
        m = re.search(r"\{", sparql)
    if not m:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return sparql[: m.end()] + " " + _values_clause(bindings) + sparql[m.end() :]


class Store(Protocol):
    name: str

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult: ...

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult: ...

    def __len__(self) -> int: ...


class RdflibStore:
    """rdflib's SPARQL engine over a Dataset whose default graph is the union of the graphs."""

    name = "rdflib"

    def __init__(self, graphs: Mapping[URIRef, Graph]):
        self.dataset = Dataset(default_union=True)
        for name, graph in graphs.items():
            target = self.dataset.graph(name)
            for triple in graph:
                target.add(triple)

    def __len__(self) -> int:
        return sum(len(g) for g in self.dataset.graphs() if g.identifier != self.dataset.default_graph.identifier)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        try:
            init = {Variable(k): v for k, v in (bindings or {}).items()}
            result = self.dataset.query(sparql, initBindings=init)
            if result.type == "ASK":
                return QueryResult(boolean=bool(result.askAnswer))
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                graph = Graph()
                for triple in result.graph or result:
                    graph.add(triple)
                return QueryResult(graph=graph)
            names = [str(v) for v in result.vars]
            return QueryResult(names, [tuple(row) for row in result])
        except Exception as exc:  # rdflib raises pyparsing and many other types
            raise QueryError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from exc

    select = query


def _to_ox(term: Node):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def _from_ox(term) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r}")


class OxigraphStore:
    """An in-memory pyoxigraph store (Rust SPARQL engine)."""

    name = "oxigraph"

    def __init__(self, graphs: Mapping[URIRef, Graph]):
        import pyoxigraph as ox

        self.store = ox.Store()
        for name, graph in graphs.items():
            data = graph.serialize(format="nt", encoding="utf-8")
            self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(name)))

    def load_triples(self, graph: str, triples) -> None:
        """Add N-Triples-string triples (:mod:`opsi_kg.terms`) to a named graph, in one parse."""
        import pyoxigraph as ox

        data = "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8")
        self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(graph)))

    def __len__(self) -> int:
        return len(self.store)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        import pyoxigraph as ox

        try:
            result = self.store.query(inline_bindings(sparql, bindings), use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult(boolean=bool(result))
            if isinstance(result, ox.QueryTriples):
                graph = Graph()
                for t in result:
                    graph.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
                return QueryResult(graph=graph)
            names = [v.value for v in result.variables]
            # Values repeat a lot across rows (labels, countries): convert each distinct one once.
            cache: dict = {}

            def conv(term):
                if term is None:
                    return None
                hit = cache.get(term)
                if hit is None:
                    hit = cache[term] = _from_ox(term)
                return hit

            rows = [tuple(conv(v) for v in sol) for sol in result]
            return QueryResult(names, rows)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            raise QueryError(str(exc)) from exc

    select = query


BACKENDS = {"oxigraph": OxigraphStore, "rdflib": RdflibStore}
DEFAULT_BACKEND = "oxigraph"


def open_store(graphs: Mapping[URIRef, Graph], backend: str = DEFAULT_BACKEND) -> Store:
    """An embedded store holding ``graphs`` (named graph IRI -> graph)."""
    try:
        factory = BACKENDS[backend]
    except KeyError:
        raise ValueError(f"unknown store backend {backend!r} (known: {', '.join(BACKENDS)})") from None
    return factory(graphs)
