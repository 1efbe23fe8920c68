"""RDF terms as N-Triples strings, the fast representation the pipeline works in.

A term is a ``str`` in N-Triples syntax (``"<http://...>"``, ``'"2019"^^<...#gYear>'``,
``'"Title"@en'``, ``"_:b1"``) and a triple is a tuple of three. Building, hashing and sorting
these is many times faster than rdflib terms; :func:`to_graph` and :func:`graph_triples` convert
at the edges where rdflib is needed (pyshacl, owlrl, rdflib's SPARQL engine, small graphs).

>>> iri("https://w3id.org/opsi-kg/id/case/x"), literal("Title", lang="en")
('<https://w3id.org/opsi-kg/id/case/x>', '"Title"@en')
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from rdflib import BNode, Graph, Literal, URIRef

Term = str
Triple = tuple[str, str, str]


def iri(value: str) -> Term:
    return f"<{value}>"


def literal(lexical: str, *, lang: str | None = None, datatype: str | None = None) -> Term:
    """An N-Triples literal; ``datatype`` is an IRI string (xsd:string is written plain)."""
    quoted = _quote(lexical)
    if lang:
        return f"{quoted}@{lang}"
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f"{quoted}^^<{datatype}>"
    return quoted


def _quote(lexical: str) -> str:
    # Exactly what rdflib's N-Triples serializer writes (rdflib.plugins.serializers.nt).
    return '"{}"'.format(lexical.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r"))


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(m: re.Match) -> str:
    if m.group(1) or m.group(2):
        return chr(int(m.group(1) or m.group(2), 16))
    return _SIMPLE_ESCAPES.get(m.group(3), m.group(0))


def _unquote(body: str) -> str:
    return _ESCAPE.sub(_unescape_match, body) if "\\" in body else body


def to_nt(term) -> Term:
    """The N-Triples form of an rdflib term (what rdflib's ``nt`` serializer writes).

    >>> to_nt(Literal("a \\"b\\"\\n", lang="en")), to_nt(URIRef("http://x/y"))
    ('"a \\\\"b\\\\"\\\\n"@en', '<http://x/y>')
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        quoted = _quote(str(term))
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def from_nt(text: Term):
    """The rdflib term of an N-Triples term string (the inverse of :func:`to_nt`).

    >>> from_nt('"2019"^^<http://www.w3.org/2001/XMLSchema#gYear>').datatype
    rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear')
    """
    first = text[:1]
    if first == "<":
        return URIRef(text[1:-1])
    if first == '"':
        end = text.rindex('"')
        lexical = _unquote(text[1:end])
        rest = text[end + 1 :]
        if not rest:
            return Literal(lexical)
        if rest[0] == "@":
            return Literal(lexical, lang=rest[1:])
        if rest.startswith("^^<") and rest.endswith(">"):
            return Literal(lexical, datatype=URIRef(rest[3:-1]))
    elif first == "_" and text.startswith("_:"):
        return BNode(text[2:])
    raise ValueError(f"not an N-Triples term: {text!r}")


def graph_triples(graph: Iterable) -> set[Triple]:
    """The triples of an rdflib graph (or any iterable of rdflib triples) as N-Triples strings."""
    cache: dict = {}
    out = set()
    for triple in graph:
        row = []
        for term in triple:
            nt = cache.get(term)
            if nt is None:
                nt = cache[term] = to_nt(term)
            row.append(nt)
        out.add(tuple(row))
    return out


def to_graph(triples: Iterable[Triple], graph: Graph | None = None) -> Graph:
    """Add N-Triples-string triples to ``graph`` (a new one by default) as rdflib terms."""
    graph = Graph() if graph is None else graph
    cache: dict[str, object] = {}
    for triple in triples:
        row = []
        for nt in triple:
            term = cache.get(nt)
            if term is None:
                term = cache[nt] = from_nt(nt)
            row.append(term)
        graph.add(tuple(row))
    return graph


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of small objects are built.

    Tuples of strings hold no reference cycles, yet every collection walks all of them again: on
    100,000 records that was a third of the time. Reference counting still frees memory as usual;
    the collector runs again when the block ends.

    What the block built is the build's data (records, triples, indexes), alive until the build is
    done: when the outermost block ends, every object tracked so far is moved to the collector's
    permanent generation (:func:`gc.freeze`), so later collections do not walk millions of
    objects again (each walk cost seconds at 100,000 records). Frozen objects are still freed by
    reference counting; only a reference cycle among them would outlive its last use.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
