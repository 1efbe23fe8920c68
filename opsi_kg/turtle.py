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
        # A local name never holds "/" or "#", so an IRI's namespace is everything up to the last
        # of them: one dictionary look-up. Namespaces ending otherwise are tried one by one.
        self.by_ns = {ns: prefix for prefix, ns in prefixes.items() if ns.endswith(("/", "#"))}
        self.others = sorted(((p, ns) for p, ns in prefixes.items() if not ns.endswith(("/", "#"))),
                             key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()
        self.cache: dict[str, str] = {}

    def iri(self, value: str) -> str:
        cut = max(value.rfind("/"), value.rfind("#")) + 1
        prefix = self.by_ns.get(value[:cut])
        if prefix is not None and _LOCAL.match(value[cut:]):
            self.used.add(prefix)
            return f"{prefix}:{value[cut:]}"
        for prefix, ns in self.others:
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


_TYPE_KEY = " a"  # rdf:type sorts first: a space sorts before "<"


def _block(triples: Iterable[Triple], terms: _Terms, indent: str = "") -> list[str]:
    """Subject blocks in order: subjects, then predicates (``a`` first), then objects.

    Triples are grouped by subject, the subjects sorted, then each subject's few (predicate,
    object) pairs: fast at millions of triples.
    """
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in triples:
        pairs = by_subject.get(s)
        if pairs is None:
            pairs = by_subject[s] = []
        pairs.append((_TYPE_KEY if p == RDF_TYPE else p, o))
    term = terms.term
    pad_p, pad_o = f" ;\n{indent}    ", f",\n{indent}        "
    blocks: list[str] = []
    for s in sorted(by_subject):
        pairs = by_subject[s]
        pairs.sort()
        out = [indent, term(s)]
        cur_p = None
        for p, o in pairs:
            if p != cur_p:
                out += (pad_p if cur_p is not None else " ", "a" if p == _TYPE_KEY else term(p), " ", term(o))
                cur_p = p
            else:
                out += (pad_o, term(o))
        out.append(" .\n")
        blocks.append("".join(out))
    return blocks


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
