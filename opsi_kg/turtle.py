"""A small deterministic Turtle and TriG writer over N-Triples-string triples.

rdflib's serialisers do not promise the same bytes across processes, and portals diff releases,
so the dumps are written here: only the prefixes used, subjects sorted, ``a`` first, then
predicates and objects sorted; the same triples always give the same text. It works on the
string triples of :mod:`opsi_kg.terms`, so it stays fast at millions of triples.

>>> t = ("<https://w3id.org/opsi-kg/id/case/x>", "<http://purl.org/dc/terms/title>", '"X"@en')
>>> print(turtle([t]), end="")
@prefix case: <https://w3id.org/opsi-kg/id/case/> .
@prefix dct: <http://purl.org/dc/terms/> .
<BLANKLINE>
case:x dct:title "X"@en .
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .namespaces import PREFIXES
from .terms import Triple

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class _Terms:
    """Shortens N-Triples terms to prefixed names where Turtle allows, remembering the prefixes used."""

    def __init__(self, prefixes: Mapping[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))  # case: before id:
        self.used: set[str] = set()
        self.cache: dict[str, str] = {}

    def iri(self, value: str) -> str:
        for prefix, ns in self.prefixes:
            if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
                self.used.add(prefix)
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"

    def term(self, nt: str) -> str:
        short = self.cache.get(nt)
        if short is None:
            if nt.startswith("<"):
                short = self.iri(nt[1:-1])
            elif nt.startswith('"') and nt.endswith(">") and '"^^<' in nt:
                lexical, datatype = nt.rsplit("^^<", 1)
                short = f"{lexical}^^{self.iri(datatype[:-1])}"
            else:
                short = nt  # plain and language-tagged literals, blank nodes: N-Triples is Turtle
            self.cache[nt] = short
        return short


def _block(triples: Iterable[Triple], terms: _Terms, indent: str = "") -> list[str]:
    by_subject: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    lines: list[str] = []
    pad_p, pad_o = indent + "    ", indent + "        "
    for s in sorted(by_subject, key=lambda t: (t.startswith("_:"), t)):
        preds = by_subject[s]
        parts = []
        for p in sorted(preds, key=lambda p: (p != RDF_TYPE, terms.term(p))):
            verb = "a" if p == RDF_TYPE else terms.term(p)
            objects = sorted({terms.term(o) for o in preds[p]})
            parts.append(f"{verb} " + f",\n{pad_o}".join(objects))
        lines.append(f"{indent}{terms.term(s)} " + f" ;\n{pad_p}".join(parts) + " .\n")
    return lines


def _prologue(terms: _Terms, prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {p}: <{prefixes[p]}> .\n" for p in sorted(terms.used)) + "\n"


def turtle(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> str:
    """The triples as Turtle, byte-for-byte the same for the same set of triples."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body = "\n".join(_block(triples, terms))
    return _prologue(terms, prefixes) + body


def trig(graphs: Mapping[str, Iterable[Triple]], prefixes: Mapping[str, str] | None = None) -> str:
    """Named graphs (graph IRI -> triples) as TriG, graphs in name order."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body = []
    for name in sorted(graphs, key=str):
        body.append(f"<{name}> {{\n" + "\n".join(_block(graphs[name], terms, indent="    ")) + "}\n")
    return _prologue(terms, prefixes) + "\n".join(body)


def ntriples(triples: Iterable[Triple]) -> str:
    """Sorted N-Triples, one line per distinct triple."""
    lines = sorted({f"{s} {p} {o} .\n" for s, p, o in triples})
    return "".join(lines)
