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

The ``*_chunks`` functions give the same text as pieces, for writing a dump of millions of
triples to a file without holding it (several times over) in memory; joined, the pieces are
exactly what :func:`turtle`, :func:`trig` and :func:`ntriples` return.

How it stays fast: the triples are grouped by subject once (lists of the existing tuples, no new
strings), the subjects sorted, and each subject's few triples sorted as tuples; sorting the
triples as tuples gives the order of their N-Triples lines (a term is never followed by a
character below the space that ends it). Each distinct IRI is shortened once; literals are
written as they are. With both dumps wanted, :func:`turtle_and_ntriples_chunks` writes them from
one pass over the triples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain

from .namespaces import PREFIXES
from .terms import Triple, gc_paused

_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

# Subjects per piece of output: big enough that joining is cheap, small enough to stay light.
_CHUNK = 4096


class _Terms(dict):
    """Shortens N-Triples terms to prefixed names where Turtle allows, remembering the prefixes used.

    A dict from N-Triples term to its Turtle form, filled on first look-up: ``terms[nt]`` (or
    ``terms.term(nt)``) costs one dictionary look-up for a term seen before.
    """

    def __init__(self, prefixes: Mapping[str, str]):
        super().__init__()
        # A local name never holds "/" or "#", so an IRI's namespace is everything up to the last
        # of them: one dictionary look-up. Namespaces ending otherwise are tried one by one.
        self.by_ns = {ns: prefix for prefix, ns in prefixes.items() if ns.endswith(("/", "#"))}
        self.others = sorted(((p, ns) for p, ns in prefixes.items() if not ns.endswith(("/", "#"))),
                             key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()
        self.term = self.__getitem__

    def iri(self, value: str) -> str:
        cut = max(value.rfind("/"), value.rfind("#")) + 1
        prefix = self.by_ns.get(value[:cut])
        if prefix is not None and _LOCAL.fullmatch(value, cut):
            self.used.add(prefix)
            return f"{prefix}:{value[cut:]}"
        for prefix, ns in self.others:
            if value.startswith(ns) and _LOCAL.fullmatch(value, len(ns)):
                self.used.add(prefix)
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"

    def short(self, nt: str) -> str:
        """The Turtle form, not remembered (for terms seen once, such as most subjects)."""
        if nt.startswith("<"):
            return self.iri(nt[1:-1])
        if nt.startswith('"') and nt.endswith(">") and '"^^<' in nt:
            lexical, datatype = nt.rsplit("^^<", 1)
            return f"{lexical}^^{self.iri(datatype[:-1])}"
        return nt  # plain and language-tagged literals, blank nodes: N-Triples is Turtle

    def __missing__(self, nt: str) -> str:
        short = self[nt] = self.short(nt)
        return short


class _Few(dict):
    """A small cache in front of :class:`_Terms` for the few terms used all the time (predicates,
    classes): a look-up there stays in the CPU's cache."""

    def __init__(self, terms: _Terms):
        super().__init__()
        self.terms = terms

    def __missing__(self, nt: str) -> str:
        short = self[nt] = self.terms[nt]
        return short


class SortedTriples:
    """Distinct triples grouped by subject, subjects in order (each group sorted when first read).

    The order of sorted N-Triples lines, worked out once and shared by the writers: hand one to
    :func:`turtle_chunks` and :func:`ntriples_chunks` instead of the set to group it only once. It
    holds lists of the triples themselves (no new strings); iterating gives the triples in order.
    """

    def __init__(self, triples: Iterable[Triple], distinct: bool = False):
        self._triples = triples
        self._distinct = distinct  # the caller promises no repeats: no set needed
        self._groups: list[list[Triple]] | None = None

    def groups(self) -> list[list[Triple]]:
        if self._groups is None:
            self._groups = _sorted_groups(self._triples, self._distinct)
            self._triples = ()
        return self._groups

    def __iter__(self) -> Iterator[Triple]:
        for group in self.groups():
            if len(group) > 1:
                group.sort()
            yield from group

    def __len__(self) -> int:
        return sum(map(len, self.groups()))


def _groups(triples: Iterable[Triple]) -> list[list[Triple]]:
    return triples.groups() if isinstance(triples, SortedTriples) else _sorted_groups(triples)


def _sorted_groups(triples: Iterable[Triple], distinct: bool = False) -> list[list[Triple]]:
    """Each subject's distinct triples, subject by subject in order.

    The writers sort each group as they write it (while its terms are in the CPU's cache): the
    N-Triples line order.
    """
    if not distinct and not isinstance(triples, (set, frozenset)):
        triples = set(triples)
    by_subject: dict[str, list[Triple]] = {}
    get = by_subject.get
    for t in triples:
        group = get(t[0])
        if group is None:
            by_subject[t[0]] = [t]
        else:
            group.append(t)
    return [by_subject[s] for s in sorted(by_subject)]


def _blocks(
    triples: Iterable[Triple], terms: _Terms, indent: str = "", groups_out: list | None = None
) -> Iterator[list[str]]:
    """Subject blocks in order, a list of up to :data:`_CHUNK` blocks at a time.

    Subjects sorted, then predicates (``a`` first), then objects: the subject's triples sorted,
    with the ``rdf:type`` ones moved to the front. With ``groups_out``, the sorted groups of
    triples behind each list of blocks are put there too (for N-Triples from the same pass).
    """
    term, few, subject = terms.term, _Few(terms).__getitem__, terms.short
    pad_p, pad_o = f" ;\n{indent}    ", f",\n{indent}        "
    blocks: list[str] = []
    for group in _groups(triples):
        if len(group) > 1:
            group.sort()
        if groups_out is not None:
            groups_out.append(group)
        out = [indent, subject(group[0][0])]
        types = [o for _, p, o in group if p == RDF_TYPE]
        sep = " "
        if types:
            out += (" a ", pad_o.join(map(few, types)))
            sep = pad_p
            group = [t for t in group if t[1] != RDF_TYPE] if len(types) < len(group) else ()
        cur = None
        for _, p, o in group:
            # Only IRIs and typed literals end in ">": anything else is written as it is, without
            # a look-up (most literals are seen once; caching them would only cost memory).
            if p == cur:
                out += (pad_o, term(o) if o[-1] == ">" else o)
            else:
                out += (sep, few(p), " ", term(o) if o[-1] == ">" else o)
                sep = pad_p
                cur = p
        out.append(" .\n")
        blocks.append("".join(out))
        if len(blocks) == _CHUNK:
            yield blocks
            blocks = []
    if blocks:
        yield blocks


def _body(triples: Iterable[Triple], terms: _Terms, indent: str = "") -> list[str]:
    """The subject blocks separated by blank lines, as a few big pieces."""
    pieces = []
    for blocks in _blocks(triples, terms, indent):
        pieces.append(("\n" if pieces else "") + "\n".join(blocks))
    return pieces


def _handed_over(pieces: list[str]) -> Iterator[str]:
    """The pieces in order, each dropped from the list as it is handed over (freed once written)."""
    pieces.reverse()
    while pieces:
        yield pieces.pop()


def _prologue(terms: _Terms, prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {p}: <{prefixes[p]}> .\n" for p in sorted(terms.used)) + "\n"


def turtle_chunks(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """:func:`turtle` in pieces (the prologue first, once the body has been written)."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body = _body(triples, terms)
    yield _prologue(terms, prefixes)
    yield from _handed_over(body)


def turtle(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None) -> str:
    """The triples as Turtle, byte-for-byte the same for the same set of triples."""
    with gc_paused():
        return "".join(turtle_chunks(triples, prefixes))


def trig_chunks(graphs: Mapping[str, Iterable[Triple]], prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """:func:`trig` in pieces."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body: list[str] = []
    for i, name in enumerate(sorted(graphs, key=str)):
        body.append(("\n" if i else "") + f"<{name}> {{\n")
        body += _body(graphs[name], terms, indent="    ")
        body.append("}\n")
    yield _prologue(terms, prefixes)
    yield from _handed_over(body)


def trig(graphs: Mapping[str, Iterable[Triple]], prefixes: Mapping[str, str] | None = None) -> str:
    """Named graphs (graph IRI -> triples) as TriG, graphs in name order."""
    with gc_paused():
        return "".join(trig_chunks(graphs, prefixes))


def ntriples_chunks(triples: Iterable[Triple]) -> Iterator[str]:
    """:func:`ntriples` in pieces."""
    batch: list[list[Triple]] = []
    for group in _groups(triples):
        if len(group) > 1:
            group.sort()
        batch.append(group)
        if len(batch) == _CHUNK:
            yield _lines(batch)
            batch = []
    if batch:
        yield _lines(batch)


def _lines(groups: list[list[Triple]]) -> str:
    return " .\n".join(map(" ".join, chain.from_iterable(groups))) + " .\n"


def turtle_and_ntriples_chunks(
    triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None
) -> tuple[Iterator[str], Callable[[], Iterator[str]]]:
    """:func:`ntriples_chunks` and :func:`turtle_chunks` of the same triples from one pass over them.

    Returns the N-Triples pieces, and a function giving the Turtle pieces once those have all been
    read (the Turtle body is kept meanwhile: its prologue can only be written at the end).
    """
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    terms = _Terms(prefixes)
    body: list[str] = []
    done = []

    def nt_pieces() -> Iterator[str]:
        groups: list[list[Triple]] = []
        for blocks in _blocks(triples, terms, groups_out=groups):
            body.append(("\n" if body else "") + "\n".join(blocks))
            yield _lines(groups)
            groups.clear()
        done.append(True)

    def turtle_pieces() -> Iterator[str]:
        if not done:
            raise RuntimeError("read the N-Triples pieces first")
        yield _prologue(terms, prefixes)
        yield from _handed_over(body)

    return nt_pieces(), turtle_pieces


def ntriples(triples: Iterable[Triple]) -> str:
    """Sorted N-Triples, one line per distinct triple."""
    with gc_paused():
        return "".join(ntriples_chunks(triples))
