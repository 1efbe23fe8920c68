"""A small deterministic Turtle and TriG writer.

rdflib's serialisers do not promise the same bytes across processes, and portals diff releases,
so the dumps are written here: only the prefixes used, subjects sorted, ``a`` first, then
predicates and objects sorted; the same graph always gives the same text.

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/opsi-kg/id/case/x"), URIRef("http://purl.org/dc/terms/title"), Literal("X", lang="en")))
>>> print(turtle(g), end="")
@prefix case: <https://w3id.org/opsi-kg/id/case/> .
@prefix dct: <http://purl.org/dc/terms/> .
<BLANKLINE>
case:x dct:title "X"@en .
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .namespaces import PREFIXES

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def _iri(iri: str) -> str:
    return "<" + "".join(c if c > " " and c not in '<>"{}|^`\\' else f"\\u{ord(c):04X}" for c in iri) + ">"


class _Terms:
    def __init__(self, prefixes: Mapping[str, str]):
        # longest namespace first, so case: wins over id:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()

    def iri(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                self.used.add(prefix)
                return f"{prefix}:{iri[len(ns):]}"
        return _iri(iri)

    def term(self, term) -> str:
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, BNode):
            return f"_:{term}"
        if isinstance(term, Literal):
            text = f'"{_escape(str(term))}"'
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype is not None and term.datatype != XSD.string:
                return f"{text}^^{self.iri(str(term.datatype))}"
            return text
        raise TypeError(f"cannot write {term!r}")


def _stable(graph: Graph) -> Iterable[tuple]:
    """The triples, with blank nodes relabelled canonically (so labels do not change between runs)."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    from rdflib.compare import to_canonical_graph

    return to_canonical_graph(graph)


def _block(triples: Iterable[tuple], terms: _Terms, indent: str = "") -> list[str]:
    by_subject: dict = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    lines: list[str] = []
    for s in sorted(by_subject, key=lambda t: (isinstance(t, BNode), str(t))):
        preds = by_subject[s]
        order = sorted(preds, key=lambda p: (p != RDF.type, terms.iri(str(p))))
        parts = []
        for p in order:
            verb = "a" if p == RDF.type else terms.iri(str(p))
            objects = sorted(terms.term(o) for o in preds[p])
            parts.append(f"{verb} " + f",\n{indent}        ".join(objects))
        lines.append(f"{indent}{terms.term(s)} " + f" ;\n{indent}    ".join(parts) + " .")
        lines.append("")
    return lines


def _prologue(terms: _Terms, prefixes: Mapping[str, str]) -> list[str]:
    return [f"@prefix {p}: <{prefixes[p]}> ." for p in sorted(terms.used)] + [""]


def turtle(graph: Graph, prefixes: Mapping[str, str] | None = None) -> str:
    """The graph as Turtle, byte-for-byte the same for the same triples."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body = _block(_stable(graph), terms)
    return "\n".join(_prologue(terms, prefixes) + body).rstrip("\n") + "\n"


def trig(graphs: Mapping[URIRef, Graph], prefixes: Mapping[str, str] | None = None) -> str:
    """Named graphs as TriG, graphs in name order."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body: list[str] = []
    for name in sorted(graphs, key=str):
        body.append(f"{_iri(str(name))} {{")
        body += _block(_stable(graphs[name]), terms, indent="    ")[:-1]
        body += ["}", ""]
    return "\n".join(_prologue(terms, prefixes) + body).rstrip("\n") + "\n"
