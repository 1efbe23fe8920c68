"""A rule-based OWL 2 RL materialiser for the axioms the ontology uses: the fast twin of owlrl.

:func:`compile_rules` reads a TBox (the ontology plus the concept schemes, as
:func:`opsi_kg.reasoning.tbox` loads them) and compiles it into a :class:`RuleSet`;
:meth:`RuleSet.infer` then gives, for a set of asserted triples, exactly what
:func:`opsi_kg.reasoning.infer` gives (owlrl's OWL RL closure of asserted + TBox, minus both,
minus :func:`~opsi_kg.reasoning.is_noise`), in a fraction of the time. owlrl stays the reference
and the fallback: a TBox (or data) that uses an OWL construct outside the supported set raises
:class:`UnsupportedAxiom`, and the caller runs owlrl instead. See docs/engines.md.

Terms are plain ``str`` in N-Triples syntax (``"<http://...>"``, ``'"2019"^^<...#gYear>'``,
``'"Title"@en'``, ``"_:b1"``) and a triple is a tuple of three of them; :func:`to_nt`,
:func:`from_nt`, :func:`graph_triples` and :func:`to_graph` convert from and to rdflib.

How it works: the TBox is saturated once by a small generic semi-naive engine (the schema rules
scm-*, and the instance rules, over the ontology and the vocabularies' facts). From that closure
each predicate gets a *template*: everything that follows from one triple with that predicate by
the single-premise rules (sub-/equivalent properties, inverses, symmetry, domains and ranges,
with the super-classes of those), so a data triple costs one dictionary look-up and its
emissions. Only property chains and transitive properties join two triples; they run
semi-naively over an index of the joinable predicates (data ∪ the vocabulary closure).

>>> from rdflib import Graph
>>> rules = compile_rules(Graph().parse(data='''
...   @prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...   ex:ledBy rdfs:subPropertyOf ex:involves . ex:involves rdfs:domain ex:Case .''', format="turtle"))
>>> sorted(rules.infer([("<http://example.org/id/case/c>", "<http://example.org/ledBy>",
...                      "<http://example.org/id/actor/a>")], base="http://example.org/id/"))
... # doctest: +NORMALIZE_WHITESPACE
[('<http://example.org/id/case/c>', '<http://example.org/involves>', '<http://example.org/id/actor/a>'),
 ('<http://example.org/id/case/c>', '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>', '<http://example.org/Case>')]
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter

from rdflib import Graph

from .namespaces import DEFAULT_BASE
from .reasoning import DATA_KINDS, META_NAMESPACES, NOISE_TYPES
from .terms import Term, Triple, _unquote, from_nt, gc_paused, graph_triples, to_graph, to_nt  # noqa: F401

# ---------------------------------------------------------------------------------------------
# Terms: rdflib <-> N-Triples strings
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _iri(ns: str, name: str) -> Term:
    return f"<{ns}{name}>"


TYPE = _iri(_RDF, "type")
FIRST, REST, NIL = _iri(_RDF, "first"), _iri(_RDF, "rest"), _iri(_RDF, "nil")
SCO, SPO = _iri(_RDFS, "subClassOf"), _iri(_RDFS, "subPropertyOf")
DOMAIN, RANGE = _iri(_RDFS, "domain"), _iri(_RDFS, "range")
EQC, EQP = _iri(_OWL, "equivalentClass"), _iri(_OWL, "equivalentProperty")
INV, CHAIN = _iri(_OWL, "inverseOf"), _iri(_OWL, "propertyChainAxiom")
OWL_CLASS, THING, NOTHING = _iri(_OWL, "Class"), _iri(_OWL, "Thing"), _iri(_OWL, "Nothing")
PROPERTY_TYPES = frozenset({_iri(_OWL, "ObjectProperty"), _iri(_OWL, "DatatypeProperty"), _iri(_RDF, "Property")})
TRANSITIVE, SYMMETRIC = _iri(_OWL, "TransitiveProperty"), _iri(_OWL, "SymmetricProperty")

SCHEMA_PREDICATES = frozenset({SCO, SPO, DOMAIN, RANGE, EQC, EQP, INV, CHAIN, FIRST, REST})
# Predicates of the RDF/RDFS/OWL vocabularies that no OWL RL rule reads (annotations, ontology header).
HARMLESS_PREDICATES = frozenset(
    [_iri(_RDFS, n) for n in ("label", "comment", "seeAlso", "isDefinedBy", "member")]
    + [_iri(_RDF, n) for n in ("value", "subject", "predicate", "object")]
    + [
        _iri(_OWL, n)
        for n in (
            "versionIRI",
            "versionInfo",
            "imports",
            "priorVersion",
            "backwardCompatibleWith",
            "incompatibleWith",
            "deprecated",
        )
    ]
)
# Classes an axiom may type things with without making an OWL RL rule fire (besides the supported
# TransitiveProperty / SymmetricProperty and the declarations that only give reflexive axioms).
HARMLESS_TYPES = frozenset(
    [
        _iri(_OWL, n)
        for n in (
            "Ontology",
            "AnnotationProperty",
            "OntologyProperty",
            "NamedIndividual",
            "Thing",
            "DeprecatedClass",
            "DeprecatedProperty",
        )
    ]
    + [_iri(_RDFS, n) for n in ("Class", "Datatype", "Resource", "Literal", "ContainerMembershipProperty")]
    + [_iri(_RDF, n) for n in ("List", "Statement", "Seq", "Bag", "Alt")]
)
DECLARATION_TYPES = PROPERTY_TYPES | {OWL_CLASS, TRANSITIVE, SYMMETRIC}
# Classes whose instances make an OWL RL rule fire: a class axiom must not make data an instance.
TRIGGER_CLASSES = DECLARATION_TYPES | {
    _iri(_OWL, n)
    for n in (
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "IrreflexiveProperty",
        "AsymmetricProperty",
        "AllDisjointProperties",
        "AllDifferent",
        "AllDisjointClasses",
        "Nothing",
        "Restriction",
    )
}
# Built-in classes a domain, range or super-class may name (datatypes and the top classes).
HARMLESS_CLASSES = frozenset(
    {THING, _iri(_RDFS, "Resource"), _iri(_RDFS, "Literal"), _iri(_RDF, "langString"), _iri(_RDF, "PlainLiteral")}
)
_META_PREFIXES = tuple("<" + ns for ns in (_RDF, _RDFS, _OWL, _XSD))
_META_PREFIXES_NOISE = tuple("<" + ns for ns in META_NAMESPACES)  # subjects that make a triple noise
_FIRST, _THIRD = itemgetter(0), itemgetter(2)


_NOISE_TYPES = frozenset(f"<{t}>" for t in NOISE_TYPES)
CHUNK = 50_000  # triples reasoned at a time by RuleSet.infer
_NOISE_PREDICATES = frozenset({_iri(_OWL, "sameAs"), _iri(_OWL, "differentFrom")})


class UnsupportedAxiom(Exception):
    """The TBox (or the data) uses OWL constructs the rule engine does not implement: use owlrl."""

    def __init__(self, constructs: Iterable[str]):
        self.constructs = sorted(set(constructs))
        super().__init__("unsupported OWL constructs for the rule engine: " + "; ".join(self.constructs))


class NonLocalInference(Exception):
    """Per-record reasoning would miss inferences that join triples of different records."""


def _is_meta(term: Term) -> bool:
    return term.startswith(_META_PREFIXES)


# ---------------------------------------------------------------------------------------------
# The generic engine: semi-naive OWL RL (the supported rules) over a small graph, e.g. the TBox
# ---------------------------------------------------------------------------------------------


class _Index:
    """A set of triples with predicate-major indexes: p -> s -> {o} and p -> o -> {s}."""

    __slots__ = ("triples", "sp", "po")

    def __init__(self) -> None:
        self.triples: set[Triple] = set()
        self.sp: dict[str, dict[str, set[str]]] = {}
        self.po: dict[str, dict[str, set[str]]] = {}

    def add(self, t: Triple) -> bool:
        if t in self.triples:
            return False
        s, p, o = t
        self.triples.add(t)
        self.sp.setdefault(p, {}).setdefault(s, set()).add(o)
        self.po.setdefault(p, {}).setdefault(o, set()).add(s)
        return True

    def objects(self, s: str, p: str):
        return self.sp.get(p, {}).get(s, ())

    def subjects(self, p: str, o: str):
        return self.po.get(p, {}).get(o, ())

    def pairs(self, p: str) -> list[tuple[str, str]]:
        return [(s, o) for s, objs in self.sp.get(p, {}).items() for o in objs]

    def rdf_list(self, head: str) -> list[str] | None:
        items, node, seen = [], head, set()
        while node != NIL:
            if node in seen:
                return None
            seen.add(node)
            firsts, rests = self.objects(node, FIRST), self.objects(node, REST)
            if len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(next(iter(firsts)))
            node = next(iter(rests))
        return items


def _chains_of(g: _Index) -> list[tuple[str, tuple[str, ...]]]:
    chains = []
    for q, head in g.pairs(CHAIN):
        members = g.rdf_list(head)
        if members is None:
            raise UnsupportedAxiom([f"owl:propertyChainAxiom of {q} is not a well-formed RDF list"])
        if members:
            chains.append((q, tuple(members)))
    return chains


def _walk(g: _Index, start: str, props: Sequence[str], backward: bool) -> set[str]:
    nodes = {start}
    for prop in props:
        step = g.subjects if backward else (lambda p, n: g.objects(n, p))
        nodes = {m for n in nodes for m in step(prop, n)}
        if not nodes:
            break
    return nodes


def _fire(g: _Index, t: Triple, chains_by_prop: dict[str, list[tuple[str, tuple[str, ...], int]]]) -> list[Triple]:
    """Everything one triple adds with the triples already in ``g`` (owlrl's OWL RL, supported rules)."""
    s, p, o = t
    out: list[Triple] = []
    # --- t as the schema premise of an instance rule
    if p == DOMAIN:  # prp-dom
        out += [(x, TYPE, o) for x in g.sp.get(s, {})]
    elif p == RANGE:  # prp-rng
        out += [(y, TYPE, o) for _x, y in g.pairs(s)]
    elif p == SPO:  # prp-spo1
        out += [(x, o, y) for x, y in g.pairs(s)]
    elif p == EQP and s != o:  # prp-eqp1, prp-eqp2
        out += [(x, o, y) for x, y in g.pairs(s)] + [(x, s, y) for x, y in g.pairs(o)]
    elif p == INV:  # prp-inv1, prp-inv2
        out += [(y, o, x) for x, y in g.pairs(s)] + [(y, s, x) for x, y in g.pairs(o)]
    elif p == SCO and s != o:  # cax-sco
        out += [(x, TYPE, o) for x in g.subjects(TYPE, s)]
    elif p == EQC and s != o:  # cax-eqc1, cax-eqc2
        out += [(x, TYPE, o) for x in g.subjects(TYPE, s)] + [(x, TYPE, s) for x in g.subjects(TYPE, o)]
    elif p == TYPE and o == SYMMETRIC:  # prp-symp
        out += [(y, s, x) for x, y in g.pairs(s)]
    elif p == TYPE and o == TRANSITIVE:  # prp-trp
        out += [(x, s, z) for x, y in g.pairs(s) for z in g.objects(y, s)]
    # --- t as the instance premise
    out += [(s, TYPE, c) for c in g.objects(p, DOMAIN)]
    out += [(o, TYPE, c) for c in g.objects(p, RANGE)]
    out += [(s, q, o) for q in g.objects(p, SPO)]
    out += [(s, q, o) for q in g.objects(p, EQP) if q != p] + [(s, q, o) for q in g.subjects(EQP, p) if q != p]
    out += [(o, q, s) for q in g.objects(p, INV)] + [(o, q, s) for q in g.subjects(INV, p)]
    if (p, TYPE, SYMMETRIC) in g.triples:
        out.append((o, p, s))
    if (p, TYPE, TRANSITIVE) in g.triples:
        out += [(s, p, z) for z in g.objects(o, p)] + [(x, p, o) for x in g.subjects(p, s)]
    if p == TYPE:
        out += [(s, TYPE, c) for c in g.objects(o, SCO) if c != o]
        out += [(s, TYPE, c) for c in g.objects(o, EQC) if c != o]
        out += [(s, TYPE, c) for c in g.subjects(EQC, o) if c != o]
    for q, members, k in chains_by_prop.get(p, ()):  # prp-spo2
        lefts = _walk(g, s, members[k - 1 :: -1] if k else (), backward=True)
        rights = _walk(g, o, members[k + 1 :], backward=False) if lefts else set()
        out += [(x, q, z) for x in lefts for z in rights]
    # --- schema rules (scm-*), with owlrl's conditions
    if p == TYPE and o == OWL_CLASS:  # scm-cls
        out += [(s, SCO, s), (s, EQC, s), (s, SCO, THING), (NOTHING, SCO, s)]
    elif p == TYPE and o in PROPERTY_TYPES:  # scm-op, scm-dp
        out += [(s, SPO, s), (s, EQP, s)]
    elif p == SCO:
        if s != o:  # scm-sco (t first), scm-dom1/scm-rng1 (t second)
            out += [(s, SCO, c3) for c3 in g.objects(o, SCO) if c3 != s]
            out += [(pp, DOMAIN, o) for pp in g.subjects(DOMAIN, s)]
            out += [(pp, RANGE, o) for pp in g.subjects(RANGE, s)]
        out += [(c1, SCO, o) for c1 in g.subjects(SCO, s) if c1 != s and c1 != o]  # scm-sco (t second)
        if (o, SCO, s) in g.triples:  # scm-eqc2
            out += [(s, EQC, o), (o, EQC, s)]
    elif p == EQC and s != o:  # scm-eqc1
        out += [(s, SCO, o), (o, SCO, s)]
    elif p == SPO:
        if s != o:  # scm-spo (t first), scm-eqp2, scm-dom2/scm-rng2 (t second)
            out += [(s, SPO, p3) for p3 in g.objects(o, SPO) if p3 != s]
            if (o, SPO, s) in g.triples:
                out += [(s, EQP, o), (o, EQP, s)]
            out += [(s, DOMAIN, c) for c in g.objects(o, DOMAIN)]
            out += [(s, RANGE, c) for c in g.objects(o, RANGE)]
        out += [(p1, SPO, o) for p1 in g.subjects(SPO, s) if p1 != s and p1 != o]  # scm-spo (t second)
    elif p == EQP and s != o:  # scm-eqp1
        out += [(s, SPO, o), (o, SPO, s)]
    elif p in (DOMAIN, RANGE):  # scm-dom1/scm-rng1 (t first), scm-dom2/scm-rng2 (t first)
        out += [(s, p, c2) for c2 in g.objects(o, SCO) if c2 != o]
        out += [(p1, p, o) for p1 in g.subjects(SPO, s) if p1 != s]
    return out


def saturate(triples: Iterable[Triple]) -> set[Triple]:
    """The closure of ``triples`` under the supported OWL RL rules (owlrl's conditions), generic.

    Meant for small graphs (the TBox and vocabularies); large data goes through :class:`RuleSet`.
    Rules that only add closure noise (eq-ref, dt-*, cls-thing, prp-ap) are left out.
    """
    g = _Index()
    agenda: deque[Triple] = deque()
    for t in triples:
        if g.add(t):
            agenda.append(t)
    chains_by_prop: dict[str, list[tuple[str, tuple[str, ...], int]]] = {}
    for q, members in _chains_of(g):
        for k, prop in enumerate(members):
            chains_by_prop.setdefault(prop, []).append((q, members, k))
    while agenda:
        for new in _fire(g, agenda.popleft(), chains_by_prop):
            if new[1][:1] != '"' and g.add(new):  # owlrl never stores a literal predicate
                agenda.append(new)
    return g.triples


# ---------------------------------------------------------------------------------------------
# What the fast path supports
# ---------------------------------------------------------------------------------------------


def _check_supported(g: _Index) -> None:
    """Raise UnsupportedAxiom for any construct in the saturated schema graph outside the subset."""
    problems: list[str] = []
    for s, p, o in g.triples:
        if p == TYPE:
            if s.startswith('"'):
                continue  # a literal typed by a range: closure noise
            if _is_meta(o) and not _harmless_type(o) and o not in DECLARATION_TYPES:
                problems.append(f"rdf:type {o} (on {s})")
        elif _is_meta(p):
            if p in SCHEMA_PREDICATES or p in HARMLESS_PREDICATES or p.startswith("<" + _RDF):
                continue
            problems.append(f"{p} (on {s})")
    for p in (SPO, EQP, INV):
        for s, o in g.pairs(p):
            if p != INV and s == o:
                continue  # reflexive, from a property declaration (scm-op, scm-dp)
            if _is_meta(s) or _is_meta(o) or not s.startswith("<") or not o.startswith("<"):
                problems.append(f"{p} between {s} and {o}: a built-in or non-IRI property")
    for p in (TRANSITIVE, SYMMETRIC):
        for s in g.subjects(TYPE, p):
            if _is_meta(s) or not s.startswith("<"):
                problems.append(f"{p} on the built-in or non-IRI property {s}")
    for p in (DOMAIN, RANGE):
        for s, o in g.pairs(p):
            if _is_meta(s) or not s.startswith("<"):
                problems.append(f"{p} of the built-in or non-IRI property {s}")
            if o in TRIGGER_CLASSES or any(c in TRIGGER_CLASSES for c in g.objects(o, SCO)):
                problems.append(f"{p} {o} of {s}: makes data an instance of an OWL built-in class")
    for q, members in _chains_of(g):
        if _is_meta(q) or any(_is_meta(m) or not m.startswith("<") for m in members):
            problems.append(f"owl:propertyChainAxiom on built-in or non-IRI properties: {q} {members}")
    for p in (SCO, EQC):
        for s, o in g.pairs(p):
            if s == o:
                continue
            if _is_meta(s) and s not in (THING, NOTHING):
                problems.append(f"{p} of the built-in class {s}")
            if o in TRIGGER_CLASSES and s != NOTHING:
                problems.append(f"{p} {o} (on {s})")
    if problems:
        raise UnsupportedAxiom(problems)


def _harmless_type(c: str) -> bool:
    return c in HARMLESS_TYPES or c.startswith("<" + _XSD) or c in HARMLESS_CLASSES


# ---------------------------------------------------------------------------------------------
# The compiled rule set
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Template:
    """What one triple ``s p o`` of a predicate entails by the single-premise rules."""

    fwd: tuple[str, ...]  # s q o, q != p, q not joinable
    bwd: tuple[str, ...]  # o q s, q not joinable
    jfwd: tuple[str, ...]  # s q o with q joinable (chains, transitive), p itself included
    jbwd: tuple[str, ...]  # o q s with q joinable
    stypes: frozenset[str]  # classes of s (super-classes closed, noise types removed)
    otypes: frozenset[str]  # classes of o
    sdata: bool  # stypes holds a data IRI (a node typed with it is data-related)
    odata: bool
    schema: bool  # the predicate is schema vocabulary: the triple changes the rules
    empty: bool  # nothing at all follows


@dataclass
class _State:
    """The compiled rules for one data base (data IRIs decide what is noise)."""

    base: str
    data_prefixes: tuple[str, ...]
    templates: dict[str, _Template] = field(default_factory=dict)
    classes: dict[str, tuple[frozenset[str], bool, bool]] = field(default_factory=dict)
    vocab_inferred: set[Triple] | None = None
    tbox_about_data: set[Triple] | None = None
    emittable: frozenset[str] | None = None
    empty: set[str] = field(default_factory=set)  # predicates neither reasoned from nor inferred


class RuleSet:
    """Rules compiled from a TBox. Build with :func:`compile_rules`; thread-safe for reading."""

    def __init__(self, tbox_triples: Iterable[Triple]):
        self.tbox: frozenset[Triple] = frozenset(tbox_triples)
        closure = saturate(self.tbox)
        g = _Index()
        for t in closure:
            g.add(t)
        _check_supported(g)
        self.closure: frozenset[Triple] = frozenset(closure)
        self._g = g
        # Property and class graphs (both directions of equivalence).
        self._sup_prop: dict[str, set[str]] = {}
        for a, b in g.pairs(SPO):
            self._sup_prop.setdefault(a, set()).add(b)
        for a, b in g.pairs(EQP):
            self._sup_prop.setdefault(a, set()).add(b)
            self._sup_prop.setdefault(b, set()).add(a)
        self._inverse: dict[str, set[str]] = {}
        for a, b in g.pairs(INV):
            self._inverse.setdefault(a, set()).add(b)
            self._inverse.setdefault(b, set()).add(a)
        self._sup_class: dict[str, set[str]] = {}
        for a, b in g.pairs(SCO):
            self._sup_class.setdefault(a, set()).add(b)
        for a, b in g.pairs(EQC):
            self._sup_class.setdefault(a, set()).add(b)
            self._sup_class.setdefault(b, set()).add(a)
        self._symmetric = set(g.subjects(TYPE, SYMMETRIC))
        transitive = set(g.subjects(TYPE, TRANSITIVE))
        # Joins: property chains and transitive properties (a chain p p -> p).
        self.chains: list[tuple[str, tuple[str, ...]]] = _chains_of(g) + [(p, (p, p)) for p in sorted(transitive)]
        self._joins: dict[str, list[tuple[int, int]]] = {}  # prop -> [(chain index, position)]
        for i, (_q, members) in enumerate(self.chains):
            for k, prop in enumerate(members):
                self._joins.setdefault(prop, []).append((i, k))
        self.join_props = frozenset(self._joins)
        # For a joinable triple at position k of a chain: (conclusion, props before k reversed,
        # props after k).
        self._join_steps: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
        for prop, places in self._joins.items():
            for i, k in places:
                q, members = self.chains[i]
                self._join_steps.setdefault(prop, []).append((q, tuple(reversed(members[:k])), members[k + 1 :]))
        self._walks: dict[tuple[str, tuple[str, ...], bool], frozenset[str]] = {}
        self._walk_memos: dict[tuple[str, str, tuple[str, ...]], dict[str, frozenset[str]]] = {}
        self._closure_subjects = frozenset(t[0] for t in self.closure)
        # Predicates at a position > 0 of a join: a data triple with one makes records interact.
        self.inner_join_props = frozenset(m for _q, members in self.chains for m in members[1:])
        # The vocabulary closure restricted to the joinable predicates, as indexes.
        self._vs = {p: g.sp.get(p, {}) for p in self.join_props}
        self._vo = {p: g.po.get(p, {}) for p in self.join_props}
        # Classes a data rdf:type must not name (it would change the rules): built-in classes
        # that rules read, and classes below them.
        self._trigger_classes = set(TRIGGER_CLASSES)
        for c in self._sup_class:
            if self._closure_of(self._sup_class, c) & TRIGGER_CLASSES:
                self._trigger_classes.add(c)
        self._states: dict[str, _State] = {}
        self._recompiled: dict[frozenset[Triple], RuleSet] = {}

    # -- schema closures

    @staticmethod
    def _closure_of(graph: dict[str, set[str]], start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def _state(self, base: str) -> _State:
        st = self._states.get(base)
        if st is None:
            st = _State(base, tuple(f"<{base}{kind}" for kind in DATA_KINDS))
            self._emittable(st)
            self._states[base] = st
        return st

    def _classes(self, st: _State, c: str) -> tuple[frozenset[str], bool, bool]:
        """(super-classes of c minus noise types, holds a data IRI, c makes the triple schema)."""
        found = st.classes.get(c)
        if found is None:
            sups = frozenset(x for x in self._closure_of(self._sup_class, c) if x not in _NOISE_TYPES and x[:1] == "<")
            schema = c in self._trigger_classes or (_is_meta(c) and not _harmless_type(c))
            found = st.classes[c] = (sups, any(x.startswith(st.data_prefixes) for x in sups), schema)
        return found

    def _template(self, st: _State, p: str) -> _Template:
        tm = st.templates.get(p)
        if tm is not None:
            return tm
        seen = {(p, True)}
        todo = [(p, True)]
        while todo:
            q, forward = todo.pop()
            steps = [(r, forward) for r in self._sup_prop.get(q, ())]
            steps += [(r, not forward) for r in self._inverse.get(q, ())]
            if q in self._symmetric:
                steps.append((q, not forward))
            for step in steps:
                if step not in seen:
                    seen.add(step)
                    todo.append(step)
        stypes: set[str] = set()
        otypes: set[str] = set()
        for q, forward in seen:
            for c in self._g.objects(q, DOMAIN):
                (stypes if forward else otypes).update(self._classes(st, c)[0])
            for c in self._g.objects(q, RANGE):
                (otypes if forward else stypes).update(self._classes(st, c)[0])
        joins = self.join_props
        fwd = tuple(sorted(q for q, f in seen if f and q != p and q not in joins))
        bwd = tuple(sorted(q for q, f in seen if not f and q not in joins))
        jfwd = tuple(sorted(q for q, f in seen if f and q in joins))
        jbwd = tuple(sorted(q for q, f in seen if not f and q in joins))
        schema = p in SCHEMA_PREDICATES or (_is_meta(p) and p not in HARMLESS_PREDICATES and p != TYPE)
        schema = schema or p in _NOISE_PREDICATES
        s_fs, o_fs = frozenset(stypes), frozenset(otypes)
        tm = _Template(
            fwd,
            bwd,
            jfwd,
            jbwd,
            s_fs,
            o_fs,
            any(c.startswith(st.data_prefixes) for c in s_fs),
            any(c.startswith(st.data_prefixes) for c in o_fs),
            schema,
            not (fwd or bwd or jfwd or jbwd or s_fs or o_fs or schema),
        )
        st.templates[p] = tm
        if tm.empty and st.emittable is not None and p not in st.emittable:
            st.empty.add(p)  # nothing follows from it and nothing infers it: skipped early
        return tm

    def _rest_walks(self, q: str, pk: str, after: tuple[str, ...]) -> dict[str, frozenset[str]]:
        return self._walk_memos.setdefault((q, pk, after), {})

    def _rest_walk(self, memo: dict, q: str, pk: str, after: tuple[str, ...], b: str) -> frozenset[str]:
        """Nodes z with b (after...) z in the vocabulary closure; for a recursive chain whose
        head is its first member (q = q o p1 o ...), every z reachable by repeating the walk."""

        def step(nodes):
            for prop in after:
                index = self._vs[prop]
                nodes = {m for n in nodes for m in index.get(n, ())}
                if not nodes:
                    break
            return nodes

        found = step({b})
        if q == pk and found:
            seen, todo = set(found), list(found)
            while todo:
                for z in step({todo.pop()}):
                    if z not in seen:
                        seen.add(z)
                        todo.append(z)
            found = seen
        result = memo[b] = frozenset(found)
        return result

    def _tbox_about_data(self, st: _State) -> set[Triple]:
        """The TBox triples that are not noise (usually none: the vocabularies hold no data)."""
        if st.tbox_about_data is None:
            st.tbox_about_data = {t for t in self.tbox if not _noise(t, st.data_prefixes)}
        return st.tbox_about_data

    def _vocab_inferred(self, st: _State) -> set[Triple]:
        """What the vocabularies alone entail beyond themselves, minus noise (usually nothing)."""
        if st.vocab_inferred is None:
            st.vocab_inferred = {t for t in self.closure - self.tbox if not _noise(t, st.data_prefixes)}
        return st.vocab_inferred

    # -- the closure of data

    def _run(
        self,
        st: _State,
        asserted: Iterable[Triple],
        out: set[Triple] | None = None,
        overlap: list[list[Triple]] | None = None,
        emitted: set[str] | None = None,
    ) -> tuple[set[Triple], list[Triple], bool]:
        """(inferred, schema triples found, local) for some data, reasoned with the vocabularies.

        ``inferred`` is every non-noise triple of closure(asserted ∪ TBox) that is neither in
        the vocabulary closure alone nor in ``asserted`` nor in the TBox. Works column-wise: the
        triples are grouped by predicate, then each group runs a loop specialised to its
        predicate's template. With ``out``, adds to that set; with ``overlap``, does not
        subtract the input but appends to ``overlap`` the groups of asserted triples that may
        also be inferred (the caller subtracts them from the union of several runs) and adds to
        ``emitted`` the predicates this run inferred triples with.
        """
        by_p: defaultdict[str, list[Triple]] = defaultdict(list)
        empty = st.empty
        for t in [t for t in asserted if t[1] not in empty] if empty else asserted:
            by_p[t[1]].append(t)
        run = _Run(self, st, out)
        run.expand(by_p, conclusions=False)
        local = not run.schema
        if run.agenda:
            local = run.join() and local
        run.emit_types()
        out = run.out
        if overlap is not None:
            emittable = self._emittable(st)
            overlap.extend(ts for p, ts in by_p.items() if p in emittable)
            if emitted is not None:
                emitted.update(run.emitted)
            return out, run.schema, local
        # Minus the input: only predicates both asserted and inferred can overlap.
        for p in run.emitted.intersection(by_p):
            out.difference_update(by_p[p])
        tbox = self._tbox_about_data(st)
        if tbox:
            out.difference_update(tbox)
        return out, run.schema, local

    def _emittable(self, st: _State) -> frozenset[str]:
        """Every predicate an inferred triple can have (the rest of the input cannot overlap)."""
        if st.emittable is None:
            g = self._g
            props = {TYPE}
            for p in (SPO, EQP, INV):
                for a, b in g.pairs(p):
                    props.update((a, b))
            for p in (DOMAIN, RANGE):
                props.update(g.sp.get(p, {}))
            props.update(self._symmetric)
            for q, members in self.chains:
                props.add(q)
                props.update(members)
            found = {TYPE}
            for p in props:
                tm = self._template(st, p)
                found.update(tm.fwd, tm.bwd, tm.jfwd, tm.jbwd)
                found.add(p)
            st.emittable = frozenset(found)
        return st.emittable

    def _with_schema(self, schema: Iterable[Triple]) -> RuleSet:
        key = frozenset(schema)
        found = self._recompiled.get(key)
        if found is None:
            found = self._recompiled[key] = RuleSet(self.tbox | key)
        return found

    # -- public API

    def infer(self, triples: Iterable[Triple], base: str = DEFAULT_BASE) -> set[Triple]:
        """The inferred triples about the data: what :func:`opsi_kg.reasoning.infer` returns.

        owlrl's OWL RL closure of ``triples`` ∪ TBox, minus both, minus closure noise. Schema
        triples in the data (sub-classes, property axioms, ...) recompile the rules with them;
        unsupported constructs raise :class:`UnsupportedAxiom`.
        """
        with gc_paused():
            if not isinstance(triples, (set, frozenset, list, tuple)):
                triples = list(triples)
            st = self._state(base)
            # In chunks: the working set of each stays small (large dicts and sets are slow in
            # Python mostly from cache misses). Exact when every chunk is local, as for records.
            out: set[Triple] = set()
            overlap: list[list[Triple]] = []
            emitted: set[str] = set()
            chunked = len(triples) > CHUNK
            if chunked:
                it = iter(triples)
                while chunk := list(islice(it, CHUNK)):
                    _out, schema, local = self._run(st, chunk, out, overlap, emitted)
                    if schema or not local:
                        chunked = False
                        break
            if chunked:
                # Minus the input, once at the end (one chunk may infer what another asserts);
                # only the predicates some chunk inferred triples with can overlap.
                for ts in overlap:
                    if ts[0][1] in emitted:
                        out.difference_update(ts)
                tbox = self._tbox_about_data(st)
                if tbox:
                    out.difference_update(tbox)
            else:
                out, schema, _local = self._run(st, triples)
                if schema:
                    rules = self._with_schema(schema)
                    schema_set = set(schema)
                    return rules.infer([t for t in triples if t not in schema_set], base) - schema_set
            vocab = self._vocab_inferred(st)
            if vocab:
                asserted = triples if isinstance(triples, (set, frozenset)) else set(triples)
                out.update(t for t in vocab if t not in asserted)
            return out

    def infer_record(self, triples: Iterable[Triple], base: str = DEFAULT_BASE) -> tuple[set[Triple], bool]:
        """(inferred, local) for the triples of one record, reasoned with the vocabularies only.

        ``inferred`` is the closure of the record's triples ∪ TBox minus them, minus the TBox,
        minus noise, minus what the vocabularies entail alone. ``local`` is False when the record
        holds schema triples or triples another record's inferences could join with (a data
        triple with a predicate in second or later position of a property chain, or of a
        transitive property): then only :meth:`infer` over all the records is exact.
        """
        st = self._state(base)
        out, schema, local = self._run(st, triples)
        vocab = self._vocab_inferred(st)
        if vocab:
            out.difference_update(vocab)
        return out, local and not schema

    def infer_per_record(
        self, records: Iterable[Iterable[Triple]], base: str = DEFAULT_BASE, *, strict: bool = True
    ) -> list[set[Triple]]:
        """:meth:`infer_record` for each record; see :meth:`combine` for the whole graph's set.

        With ``strict`` (the default), raises :class:`NonLocalInference` when a record is not
        local: the caller then runs :meth:`infer` over all the records.
        """
        results = []
        with gc_paused():
            for rec in records:
                inferred, local = self.infer_record(rec, base)
                if strict and not local:
                    raise NonLocalInference("a record holds schema triples or joins other records' inferences")
                results.append(inferred)
        return results

    def combine(
        self, per_record: Iterable[set[Triple]], asserted: Iterable[Triple], base: str = DEFAULT_BASE
    ) -> set[Triple]:
        """The whole graph's inferred set from per-record results (all of them local).

        The union of the records' sets, plus what the vocabularies entail alone (minus noise),
        minus every asserted triple (one record may infer what another asserts).
        """
        with gc_paused():
            st = self._state(base)
            out: set[Triple] = set()
            for part in per_record:
                out.update(part)
            emittable = self._emittable(st)
            asserted = [t for t in asserted if t[1] in emittable]  # only these can be inferred too
            out.update(self._vocab_inferred(st))
            out.difference_update(asserted)
            return out


class _Run:
    """The working state of one closure computation over some data (see RuleSet._run)."""

    __slots__ = ("rules", "st", "out", "schema", "pending", "js", "jo", "agenda", "emitted")

    def __init__(self, rules: RuleSet, st: _State, out: set[Triple] | None = None):
        self.rules = rules
        self.st = st
        self.out: set[Triple] = set() if out is None else out
        self.schema: list[Triple] = []
        # Type triples, collected as class set -> nodes (with repeats), so each (node, class) is
        # checked and emitted once at the end.
        self.pending: dict[frozenset[str], list[str]] = {}
        # Joinable triples of the data (chain and transitive properties), indexed, and an agenda.
        self.js: dict[str, dict[str, set[str]]] = {}
        self.jo: dict[str, dict[str, set[str]]] = {}
        self.agenda: list[Triple] = []
        self.emitted: set[str] = set()  # predicates that out may hold

    def expand(self, by_p: dict[str, list[Triple]], conclusions: bool) -> None:
        """What follows from triples (grouped by predicate) by the single-premise rules.

        With ``conclusions`` the triples themselves are output too (they are chain conclusions,
        not asserted); joinable ones go to the join agenda either way.
        """
        rules, st, out = self.rules, self.st, self.out
        dp = st.data_prefixes
        meta = _META_PREFIXES_NOISE
        for p, ts in by_p.items():
            if p == TYPE:
                self.types(ts)
                continue
            tm = st.templates.get(p) or rules._template(st, p)
            if tm.empty and not conclusions:  # a conclusion itself is output even so
                continue
            if tm.schema:
                self.schema.extend(ts)
                continue
            fwd_props = (p, *tm.fwd) if conclusions and p not in rules.join_props else tm.fwd
            self.emitted.update(fwd_props, tm.bwd, tm.jfwd, tm.jbwd)
            if fwd_props or tm.bwd:
                pairs = [(s, o) for s, _p, o in ts if s.startswith(dp) or o.startswith(dp)]
                if fwd_props:
                    fwd = [(s, o) for s, o in pairs if s[0] == "<" and o[0] != "_" and not s.startswith(meta)]
                    for q in fwd_props:
                        out.update([(s, q, o) for s, o in fwd])
                if tm.bwd:
                    bwd = [(s, o) for s, o in pairs if o[0] == "<" and s[0] != "_" and not o.startswith(meta)]
                    for q in tm.bwd:
                        out.update([(o, q, s) for s, o in bwd])
            if tm.stypes:
                self.typed(tm.stypes, map(_FIRST, ts))
            if tm.otypes:
                self.typed(tm.otypes, map(_THIRD, ts))
            if tm.jfwd or tm.jbwd:
                js, jo, agenda = self.js, self.jo, self.agenda
                for q, forward in [(q, True) for q in tm.jfwd] + [(q, False) for q in tm.jbwd]:
                    by_s = js.setdefault(q, {})
                    by_o = jo.setdefault(q, {})
                    for t in ts:
                        s, o = (t[0], t[2]) if forward else (t[2], t[0])
                        objs = by_s.get(s)
                        if objs is None:
                            by_s[s] = {o}
                        elif o in objs:
                            continue
                        else:
                            objs.add(o)
                        subs = by_o.get(o)
                        if subs is None:
                            by_o[o] = {s}
                        else:
                            subs.add(s)
                        agenda.append((s, q, o))

    def typed(self, classes: frozenset[str], nodes: Iterable[str]) -> None:
        """Nodes that get ``classes``; filtered (data or not) once per node in emit_types."""
        self.emitted.add(TYPE)
        found = self.pending.get(classes)
        if found is None:
            self.pending[classes] = list(nodes)
        else:
            found.extend(nodes)

    def types(self, ts: list[Triple]) -> None:
        """rdf:type triples: each node gets the super-classes of its class."""
        by_class: defaultdict[str, list[str]] = defaultdict(list)
        for s, _p, o in ts:
            by_class[o].append(s)
        classes_of = self.st.classes
        for c, nodes in by_class.items():
            found = classes_of.get(c) or self.rules._classes(self.st, c)
            if found[2]:
                self.schema.extend((s, TYPE, c) for s in nodes)
            elif found[0]:
                self.typed(found[0], nodes)

    def join(self) -> bool:
        """Run the chains (and transitive properties) to a fixpoint, semi-naively in rounds.

        Returns False if the data holds a joinable triple in an inner position of a chain that
        the vocabularies do not hold (then records may join each other's inferences).
        """
        rules = self.rules
        vs, vo = rules._vs, rules._vo
        js, jo = self.js, self.jo
        closure = rules.closure
        inner = rules.inner_join_props
        local = True
        done: set[Triple] = set()  # conclusions already expanded

        def objects(q: str, n: str):
            a = vs[q].get(n, ())
            b = js.get(q, {}).get(n)
            return a if not b else set(a) | b

        def subjects(q: str, n: str):
            a = vo[q].get(n, ())
            b = jo.get(q, {}).get(n)
            return a if not b else set(a) | b

        def walk(start: str, props: tuple[str, ...], backward: bool) -> set[str] | frozenset[str]:
            if not any(p in (jo if backward else js) for p in props):
                # Only the vocabulary closure can answer: memoised across runs.
                key = (start, props, backward)
                found = rules._walks.get(key)
                if found is None:
                    nodes: set[str] = {start}
                    for prop in props:
                        index = vo[prop] if backward else vs[prop]
                        nodes = {m for n in nodes for m in index.get(n, ())}
                        if not nodes:
                            break
                    found = rules._walks[key] = frozenset(nodes)
                return found
            nodes = {start}
            step = subjects if backward else objects
            for prop in props:
                nodes = {m for n in nodes for m in step(prop, n)}
                if not nodes:
                    break
            return nodes

        while self.agenda:
            delta, self.agenda = self.agenda, []
            by_pk: defaultdict[str, list[Triple]] = defaultdict(list)
            for t in delta:
                by_pk[t[1]].append(t)
            found: defaultdict[str, list[Triple]] = defaultdict(list)
            for pk, items in by_pk.items():
                if local and pk in inner and any(t not in closure for t in items):
                    local = False
                for q, before, after in rules._join_steps[pk]:
                    known = js.get(q)
                    add = found[q].append
                    if not before and not any(p in js for p in after):
                        # The usual case: the chain's rest is vocabulary only. Its walks are
                        # memoised; a recursive chain (q = q o p1 o ...) walks to its fixpoint.
                        memo = rules._rest_walks(q, pk, after)
                        vocab_subjects = rules._closure_subjects
                        for a, _pk, b in items:
                            rights = memo.get(b)
                            if rights is None:
                                rights = rules._rest_walk(memo, q, pk, after, b)
                            if not rights:
                                continue
                            if known is not None:
                                have = known.get(a)
                                if have is not None:
                                    if rights <= have:
                                        continue
                                    rights = rights - have
                            check = a in vocab_subjects
                            for z in rights:
                                t = (a, q, z)
                                if known is None:
                                    if t in done:
                                        continue
                                    done.add(t)
                                if not (check and t in closure):
                                    add(t)
                        continue
                    for a, _pk, b in items:
                        lefts = walk(a, before, True) if before else (a,)
                        if not lefts:
                            continue
                        rights = walk(b, after, False) if after else (b,)
                        for x in lefts:
                            for z in rights:
                                t = (x, q, z)
                                if known is not None:  # a joinable conclusion: known if indexed
                                    if z in known.get(x, ()):
                                        continue
                                elif t in done:
                                    continue
                                else:
                                    done.add(t)
                                if t not in closure:
                                    add(t)
            found = {q: ts for q, ts in found.items() if ts}
            if found:
                self.expand(found, conclusions=True)
        # Joinable triples (of the data, derived from it, or chain conclusions) are output too.
        dp = self.st.data_prefixes
        meta = _META_PREFIXES_NOISE
        out = self.out
        for q, by_s in js.items():
            for s, objs in by_s.items():
                if s[0] != "<" or s.startswith(meta):
                    continue
                if s.startswith(dp):
                    out.update([(s, q, o) for o in objs if o[0] != "_"])
                else:
                    out.update([(s, q, o) for o in objs if o.startswith(dp)])
        return local

    def emit_types(self) -> None:
        out = self.out
        dp = self.st.data_prefixes
        meta = _META_PREFIXES_NOISE
        for classes, nodes in self.pending.items():
            unique = set(nodes)
            data = [n for n in unique if n.startswith(dp)]
            for c in classes:
                out.update([(n, TYPE, c) for n in data])
            data_classes = [c for c in classes if c.startswith(dp)]
            if data_classes:  # a class that is a data IRI: the type triple is about the data
                others = [n for n in unique if n[0] == "<" and not n.startswith(dp) and not n.startswith(meta)]
                for c in data_classes:
                    out.update([(n, TYPE, c) for n in others])


def _noise(t: Triple, data_prefixes: tuple[str, ...]) -> bool:
    """:func:`opsi_kg.reasoning.is_noise` on N-Triples strings."""
    s, p, o = t
    if s[:1] != "<" or o.startswith("_:"):
        return True
    if not (s.startswith(data_prefixes) or o.startswith(data_prefixes)):
        return True
    if s.startswith(_META_PREFIXES_NOISE):
        return True
    if p in _NOISE_PREDICATES:
        return True
    return p == TYPE and o in _NOISE_TYPES


def is_noise(triple: Triple, base: str = DEFAULT_BASE) -> bool:
    """:func:`opsi_kg.reasoning.is_noise` for an N-Triples-string triple."""
    return _noise(triple, tuple(f"<{base}{kind}" for kind in DATA_KINDS))


def compile_rules(tbox: Graph | Iterable[Triple]) -> RuleSet:
    """Compile a TBox (an rdflib Graph, or N-Triples-string triples) into a :class:`RuleSet`.

    Raises :class:`UnsupportedAxiom` naming every construct outside the supported subset.
    """
    triples = graph_triples(tbox) if isinstance(tbox, Graph) else set(tbox)
    return RuleSet(triples)


_DEFAULT: RuleSet | None = None


def default_rules() -> RuleSet:
    """The rules of the shipped ontology and vocabularies (:func:`opsi_kg.reasoning.tbox`), once."""
    global _DEFAULT
    if _DEFAULT is None:
        from .reasoning import tbox

        _DEFAULT = compile_rules(tbox())
    return _DEFAULT


__all__ = [
    "NonLocalInference",
    "RuleSet",
    "Triple",
    "UnsupportedAxiom",
    "compile_rules",
    "default_rules",
    "from_nt",
    "graph_triples",
    "is_noise",
    "saturate",
    "to_graph",
    "to_nt",
]
