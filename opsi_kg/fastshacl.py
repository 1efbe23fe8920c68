"""A SHACL Core validator for the constraint components our shapes use: the fast twin of pyshacl.

:func:`compile_shapes` reads a shapes graph into a :class:`ShapesProgram`; the program indexes a
data graph once (subject -> predicate -> objects, only for the predicates the shapes read) and
evaluates every shape per focus node. :func:`validate_fast` returns the same
:class:`~opsi_kg.report.Result` objects :func:`opsi_kg.validation.validate` makes from pyshacl's
report: the same (focus node, path, constraint component, severity, value), source shape, field
and message. pyshacl stays the reference and the fallback: a shapes graph that uses anything
outside the supported subset raises :class:`UnsupportedShape`. See docs/engines.md.

Supported: targets sh:targetClass (SHACL instances, following rdfs:subClassOf in the data graph),
implicit class targets, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf; node shapes with
sh:property; paths that are an IRI, sh:inversePath of an IRI or a sequence of those; sh:minCount,
sh:maxCount, sh:datatype, sh:nodeKind, sh:pattern (+ sh:flags), sh:minLength, sh:maxLength,
sh:class, sh:in, sh:hasValue; sh:severity, sh:message, sh:name, sh:deactivated.

Data is given as N-Triples-string triples (see :mod:`opsi_kg.rules`), an rdflib Graph, or a
:class:`DataIndex` built once with :meth:`ShapesProgram.index`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import BNode

from .namespaces import compact
from .report import Result, Severity
from .terms import Triple, _unquote, from_nt, gc_paused, graph_triples, to_nt

TYPE = to_nt(RDF.type)
SUBCLASS = to_nt(RDFS.subClassOf)
_EMPTY: frozenset = frozenset()

# Everything in the SHACL namespace a supported shape may say (the rest raises UnsupportedShape).
_SHAPE_KEYS = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH.minLength,
    SH.maxLength,
    SH["class"],
    SH["in"],
    SH.hasValue,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.defaultValue,
}
_NODE_KINDS = {
    SH.IRI: ("<",),
    SH.BlankNode: ("_",),
    SH.Literal: ('"',),
    SH.BlankNodeOrIRI: ("<", "_"),
    SH.BlankNodeOrLiteral: ("_", '"'),
    SH.IRIOrLiteral: ("<", '"'),
}
_SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
_WHOLE_INTEGERS = {
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.nonPositiveInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}


class UnsupportedShape(Exception):
    """The shapes use SHACL features the fast validator does not implement: use pyshacl."""

    def __init__(self, features: Iterable[str]):
        self.features = sorted(set(features))
        super().__init__("unsupported SHACL features for the fast validator: " + "; ".join(self.features))


# ---------------------------------------------------------------------------------------------
# Literals: pyshacl's datatype and string semantics on N-Triples strings
# ---------------------------------------------------------------------------------------------


def _literal_parts(v: str) -> tuple[str, str]:
    """(quoted lexical part, suffix) of a literal: suffix is '', '@lang' or '^^<dt>'."""
    end = v.rindex('"')
    return v[: end + 1], v[end + 1 :]


def _lexical(v: str) -> str:
    """What pyshacl matches patterns and lengths against: the lexical form, or the IRI."""
    if v[0] == "<":
        return v[1:-1]
    if v[0] == '"':
        body = v[1 : v.rindex('"')]
        return _unquote(body) if "\\" in body else body
    return v[2:]


_LANG_STRING = to_nt(RDF.langString)
_RDFS_LITERAL = to_nt(RDFS.Literal)
_RDFS_DATATYPE = to_nt(RDFS.Datatype)
_XSD_STRING = to_nt(XSD.string)


def _actual_datatype(value: object, rule: URIRef) -> bool:
    # pyshacl.constraints.core.value_constraints.DatatypeConstraintComponent._assert_actual_datatype
    import datetime
    from decimal import Decimal

    if rule in (XSD.string, RDF.langString):
        return isinstance(value, (str, bytes))
    checks = {
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: datetime.date,
        XSD.time: datetime.time,
        XSD.dateTime: datetime.datetime,
    }
    kind = checks.get(rule)
    return True if kind is None else isinstance(value, kind)


def _default_cast(lexical: str, datatype: URIRef) -> tuple[object, bool]:
    """(value, ill_typed) of a typed literal under rdflib's *default* conversion table.

    rdflib keeps one global table of lexical-to-value converters, and owlrl adds its own to it
    (xsd:gYear and others) and never takes them out; pyshacl's verdict on an ill-formed literal
    therefore depends on whether owlrl ran earlier in the process. This validator is
    deterministic: it always uses rdflib's own table, as in a process where owlrl never ran.
    """
    from rdflib import term

    if datatype not in term.XSDToPython:
        return None, False
    conv = term.XSDToPython[datatype]
    try:
        value = conv(lexical) if conv is not None else lexical
    except Exception:
        value = None
    checker = getattr(term, "_check_well_formed_types", {}).get(datatype, getattr(term, "_well_formed_by_value", None))
    well_formed = checker(lexical, value) if checker is not None else value is not None
    return value, not well_formed


def _datatype_ok(v: str, rule: str, cache: dict) -> bool:
    """pyshacl's sh:datatype test for one value node (N-Triples strings)."""
    if v[0] != '"':
        return False
    _quoted, suffix = _literal_parts(v)
    if suffix[:1] == "@":
        return rule in (_LANG_STRING, _RDFS_LITERAL)  # a language-tagged literal's value is a str
    if not suffix:
        return rule in (_XSD_STRING, _RDFS_LITERAL)
    datatype = suffix[2:]
    if datatype != rule:
        return rule in (_RDFS_LITERAL, _RDFS_DATATYPE)
    key = (v, rule)
    found = cache.get(key)
    if found is None:
        dt = URIRef(rule[1:-1])
        value, ill_typed = _default_cast(_unquote(_quoted[1:-1]), dt)
        found = cache[key] = not ill_typed and _actual_datatype(value, dt)
    return found


# ---------------------------------------------------------------------------------------------
# Compiled shapes
# ---------------------------------------------------------------------------------------------


@dataclass
class _Constraint:
    component: str  # constraint component IRI (plain string, as Result.constraint holds it)
    kind: str  # minCount, maxCount, datatype, nodeKind, pattern, minLength, maxLength, class, in, hasValue
    arg: object


@dataclass
class _Shape:
    node: object  # rdflib term of the shape
    path: tuple[tuple[str, bool], ...] | None  # steps (predicate, inverse); None for a node shape
    result_path: object  # rdflib term of sh:path (URIRef for an IRI path)
    severity: Severity
    message: str | None
    fld: str  # the Result field: sh:name, else the compacted path
    constraints: list[_Constraint] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    target_classes: list[str] = field(default_factory=list)
    target_nodes: list[str] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)
    target_objects_of: list[str] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


class DataIndex:
    """The data graph, indexed for a :class:`ShapesProgram`: predicate -> subject -> objects.

    One flat dictionary per predicate (no dictionary per subject), so validating a property
    shape over all its focus nodes is one look-up per node.

    Only the predicates the shapes read are kept (paths, targets, rdfs:subClassOf); for inverse
    paths and sh:targetObjectsOf also object -> subjects. A single object is kept as the string
    itself, several as a set (most subjects have one value per predicate). Of the rdf:type
    triples only those naming a class the shapes ask about (a target class, an sh:class, or a
    subclass of one in the data graph) are kept, in both directions; they are buffered until
    the first query, when every rdfs:subClassOf triple is known.
    """

    def __init__(self, forward: frozenset[str], backward: frozenset[str], classes: frozenset[str] | None = None):
        self._forward = forward - {TYPE}
        self._backward = backward - {TYPE}
        self._needed = forward | backward | {TYPE, SUBCLASS}
        self._asked = classes  # classes of targets and sh:class constraints; None: keep all types
        # predicate -> subject -> object(s), for every forward predicate and rdf:type
        self.sp: dict[str, dict[str, str | set[str]]] = {p: {} for p in self._forward | {TYPE}}
        self.po: dict[str, dict[str, str | set[str]]] = {p: {} for p in backward | {TYPE, SUBCLASS}}
        self._subclasses: dict[str, frozenset[str]] = {}
        self._types: list[list[Triple]] = []  # rdf:type triples not indexed yet

    def add(self, triples: Iterable[Triple]) -> DataIndex:
        """Add N-Triples-string triples (or an rdflib Graph); returns self."""
        if isinstance(triples, Graph):
            triples = graph_triples(triples)
        by_p: dict[str, list[Triple]] = {p: [] for p in self._needed}
        groups = by_p.get
        for t in triples:
            group = groups(t[1])
            if group is not None:
                group.append(t)
        for p, ts in by_p.items():
            if not ts:
                continue
            if p == TYPE:
                self._types.append(ts)
                continue
            if p == SUBCLASS:
                _index(self.po[p], ts, 2, 0)
                self._subclasses = {}
            if p in self._forward:
                _index(self.sp[p], ts, 0, 2)
            if p in self._backward and p != SUBCLASS:
                _index(self.po[p], ts, 2, 0)
        return self

    def _index_types(self) -> None:
        buffered, self._types = self._types, []
        relevant: set[str] = set()
        for cls in self._asked or ():
            relevant |= self.subclasses(cls)
        backward = self.po[TYPE]
        for ts in buffered:
            kept = ts if self._asked is None else [t for t in ts if t[2] in relevant]
            _index(self.sp[TYPE], kept, 0, 2)
            _index(backward, kept, 2, 0)

    def subclasses(self, cls: str) -> frozenset[str]:
        """cls and every class below it by rdfs:subClassOf in the data graph."""
        found = self._subclasses.get(cls)
        if found is None:
            below = self.po[SUBCLASS]
            seen, todo = {cls}, [cls]
            while todo:
                for sub in _values(below.get(todo.pop())):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            found = self._subclasses[cls] = frozenset(seen)
        return found

    def values(self, focus: str, path: tuple[tuple[str, bool], ...]) -> tuple[str, ...] | set[str] | frozenset:
        if self._types:
            self._index_types()
        nodes: set[str] | tuple[str, ...] = (focus,)
        for pred, inverse in path:
            if inverse:
                index = self.po[pred]
                nodes = {m for n in nodes for m in _values(index.get(n))}
            else:
                index = self.sp.get(pred, _NO_VALUES)
                nodes = {m for n in nodes for m in _values(index.get(n))}
            if not nodes:
                return _EMPTY
        return nodes

    def subjects_of(self, pred: str) -> set[str]:
        """Every subject with a value for pred (sh:targetSubjectsOf)."""
        return set(self.sp.get(pred, _NO_VALUES))

    def instances(self, cls: str) -> set[str]:
        """The SHACL instances of cls: nodes typed cls or a subclass of it."""
        if self._types:
            self._index_types()
        by_type = self.po[TYPE]
        found: set[str] = set()
        for c in self.subclasses(cls):
            found.update(_values(by_type.get(c)))
        return found

    def is_instance(self, node: str, classes: frozenset[str]) -> bool:
        """Whether node is typed with one of classes (a subclass closure of an asked class)."""
        if self._types:
            self._index_types()
        types = self.sp[TYPE].get(node)
        if types is None:
            return False
        return types in classes if types.__class__ is str else not classes.isdisjoint(types)


_NO_VALUES: dict = {}


def _values(found: str | set[str] | None) -> tuple[str, ...] | set[str]:
    if found is None:
        return ()
    return (found,) if found.__class__ is str else found


def _index(index: dict[str, str | set[str]], ts: list[Triple], key: int, value: int) -> None:
    get = index.get
    for t in ts:
        k, v = t[key], t[value]
        found = get(k)
        if found is None:
            index[k] = v
        elif found.__class__ is str:
            if found != v:
                index[k] = {found, v}
        else:
            found.add(v)


class ShapesProgram:
    """Shapes compiled for fast evaluation; build with :func:`compile_shapes`."""

    def __init__(self, shapes: Graph):
        self.graph = shapes
        self.shapes: list[_Shape] = []
        problems: list[str] = []
        cache: dict = {}
        nodes = self._shape_nodes(shapes)
        for node in sorted(nodes, key=str):
            shape = self._compile(shapes, node, problems, cache)
            if shape is not None and shape.has_targets:
                self.shapes.append(shape)
        if problems:
            raise UnsupportedShape(problems)
        forward = {TYPE, SUBCLASS}
        backward = {TYPE, SUBCLASS}
        all_types = False  # a path or a target reads rdf:type itself: keep every type triple
        for shape in cache.values():
            if shape is None:
                continue
            for pred, inverse in shape.path or ():
                (backward if inverse else forward).add(pred)
                all_types = all_types or pred in (TYPE, SUBCLASS)
            forward.update(shape.target_subjects_of)
            backward.update(shape.target_objects_of)
            all_types = all_types or bool({TYPE, SUBCLASS} & {*shape.target_subjects_of, *shape.target_objects_of})
        self.forward = frozenset(forward)
        self.backward = frozenset(backward)
        asked: set[str] = set()
        for shape in cache.values():
            if shape is None:
                continue
            asked.update(shape.target_classes)
            asked.update(c.arg for c in shape.constraints if c.kind == "class")
        self.classes = frozenset(asked)
        self.all_types = all_types
        self._datatype_cache: dict = {}

    # -- compiling

    @staticmethod
    def _shape_nodes(g: Graph) -> set:
        nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path):
            nodes |= set(g.subjects(p, None))
        nodes |= set(g.objects(None, SH.property))
        for p in (SH.node, SH["and"], SH["or"], SH["not"], SH.xone, SH.qualifiedValueShape):
            nodes |= set(g.subjects(p, None))
        return nodes

    def _compile(self, g: Graph, node, problems: list[str], cache: dict) -> _Shape | None:
        if node in cache:
            return cache[node]
        cache[node] = None
        if any(str(o).lower() == "true" for o in g.objects(node, SH.deactivated)):
            return None
        where = compact(str(node)) if isinstance(node, URIRef) else "a blank-node shape"
        for p in set(g.predicates(node, None)):
            if str(p).startswith(str(SH)) and p not in _SHAPE_KEYS:
                problems.append(f"{compact(str(p))} on {where}")
        severities = list(g.objects(node, SH.severity))
        severity = severities[0] if severities else SH.Violation
        if len(severities) > 1 or severity not in _SEVERITIES:
            problems.append(f"severity {severities} on {where}")
            severity = SH.Violation
        messages = sorted(str(m) for m in g.objects(node, SH.message))
        names = sorted(str(n) for n in g.objects(node, SH.name))
        path_term = g.value(node, SH.path)
        path = None
        if path_term is not None:
            path = self._path(g, path_term, problems, where)
        fld = names[0] if names else (compact(str(path_term)) if path_term is not None else "")
        shape = _Shape(
            node=node,
            path=path,
            result_path=path_term,
            severity=Severity.from_shacl(str(severity)),
            message=messages[0] if messages else None,
            fld=fld,
        )
        shape.target_classes = [to_nt(c) for c in g.objects(node, SH.targetClass)]
        types = set(g.objects(node, RDF.type))
        rdfs_classes = set(g.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
        if types & rdfs_classes:
            shape.target_classes.append(to_nt(node))  # an implicit class target
        shape.target_nodes = [to_nt(n) for n in g.objects(node, SH.targetNode)]
        shape.target_subjects_of = [to_nt(p) for p in g.objects(node, SH.targetSubjectsOf)]
        shape.target_objects_of = [to_nt(p) for p in g.objects(node, SH.targetObjectsOf)]
        self._constraints(g, node, shape, problems, where)
        for prop in sorted(g.objects(node, SH.property), key=str):
            if path is not None:
                problems.append(f"sh:property nested in the property shape {where}")
                continue
            compiled = self._compile(g, prop, problems, cache)
            if compiled is not None:
                if compiled.path is None:
                    problems.append(f"sh:property {compact(str(prop))} of {where} has no sh:path")
                    continue
                shape.properties.append(compiled)
        cache[node] = shape
        return shape

    def _path(self, g: Graph, term, problems: list[str], where: str) -> tuple[tuple[str, bool], ...] | None:
        if isinstance(term, URIRef):
            return ((to_nt(term), False),)
        if isinstance(term, BNode):
            inverse = g.value(term, SH.inversePath)
            if isinstance(inverse, URIRef):
                return ((to_nt(inverse), True),)
            if g.value(term, RDF.first) is not None:
                steps = []
                for item in g.items(term):
                    sub = self._path(g, item, problems, where)
                    if sub is None:
                        return None
                    steps.extend(sub)
                return tuple(steps)
        problems.append(f"the sh:path of {where} (only IRIs, inverse IRIs and sequences of them)")
        return None

    def _constraints(self, g: Graph, node, shape: _Shape, problems: list[str], where: str) -> None:
        def one(p, check) -> object:
            values = list(g.objects(node, p))
            if not values:
                return None
            if len(values) > 1 or not check(values[0]):
                problems.append(f"{compact(str(p))} {values} on {where}")
                return None
            return values[0]

        def integer(v) -> bool:
            return isinstance(v, Literal) and v.datatype in _WHOLE_INTEGERS and int(v.value) >= 0

        for kind in ("minCount", "maxCount"):
            value = one(SH[kind], lambda v: isinstance(v, Literal) and v.datatype == XSD.integer and v.value >= 0)
            if kind == "maxCount" and value is not None and shape.path is None:
                problems.append(f"sh:maxCount on the node shape {where}")
            if value is not None:
                component = str(SH[kind[0].upper() + kind[1:] + "ConstraintComponent"])
                shape.constraints.append(_Constraint(component, kind, int(value.value)))
        datatype = one(SH.datatype, lambda v: isinstance(v, URIRef))
        if datatype is not None:
            shape.constraints.append(_Constraint(str(SH.DatatypeConstraintComponent), "datatype", to_nt(datatype)))
        kind = one(SH.nodeKind, lambda v: v in _NODE_KINDS)
        if kind is not None:
            shape.constraints.append(_Constraint(str(SH.NodeKindConstraintComponent), "nodeKind", _NODE_KINDS[kind]))
        patterns = list(g.objects(node, SH.pattern))
        if patterns:
            flags = next(iter(g.objects(node, SH.flags)), None)
            re_flags = 0
            if flags:
                text = str(flags.value).lower()
                re_flags |= re.I if "i" in text else 0
                re_flags |= re.M if "m" in text else 0
            for pattern in patterns:
                if not isinstance(pattern, Literal):
                    problems.append(f"sh:pattern {pattern} on {where}")
                    continue
                source = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
                shape.constraints.append(
                    _Constraint(str(SH.PatternConstraintComponent), "pattern", re.compile(source, re_flags))
                )
        for kind in ("minLength", "maxLength"):
            value = one(SH[kind], integer)
            if value is not None:
                component = str(SH[kind[0].upper() + kind[1:] + "ConstraintComponent"])
                shape.constraints.append(_Constraint(component, kind, int(value.value)))
        for cls in g.objects(node, SH["class"]):
            shape.constraints.append(_Constraint(str(SH.ClassConstraintComponent), "class", to_nt(cls)))
        for head in g.objects(node, SH["in"]):
            members = frozenset(to_nt(m) for m in g.items(head))
            shape.constraints.append(_Constraint(str(SH.InConstraintComponent), "in", members))
        for value in g.objects(node, SH.hasValue):
            shape.constraints.append(_Constraint(str(SH.HasValueConstraintComponent), "hasValue", to_nt(value)))

    # -- validating

    def index(self, *parts: Iterable[Triple] | Graph) -> DataIndex:
        """Index the data graph (the union of ``parts``) for these shapes."""
        index = DataIndex(self.forward, self.backward, None if self.all_types else self.classes)
        with gc_paused():
            for part in parts:
                index.add(part)
        return index

    def focus_nodes(self, shape: _Shape, data: DataIndex) -> set[str]:
        found: set[str] = set(shape.target_nodes)
        for cls in shape.target_classes:
            found |= data.instances(cls)
        for p in shape.target_subjects_of:
            found.update(data.subjects_of(p))
        for p in shape.target_objects_of:
            found.update(data.po[p])
        return found

    def validate(
        self,
        data: DataIndex | Graph | Iterable[Triple],
        sources: Mapping[str, list[str]] | None = None,
        *,
        focus: Iterable[str] | None = None,
    ) -> list[Result]:
        """Validate ``data``; with ``focus`` (N-Triples IRIs), only results on those focus nodes."""
        if not isinstance(data, DataIndex):
            data = self.index(data)
        with gc_paused():
            return self._validate(data, sources or {}, focus)

    def _validate(self, data: DataIndex, sources: Mapping[str, list[str]], focus) -> list[Result]:
        """Column-wise: each constraint of a shape runs over all the shape's focus nodes at once;
        the failures are then reported in the order of (focus node, shape, constraint, value)."""
        if data._types:
            data._index_types()
        only = set(focus) if focus is not None else None
        results: list[Result] = []
        checks: dict[int, list] = {}
        for shape in self.shapes:
            nodes = self.focus_nodes(shape, data)
            if only is not None:
                nodes &= only
            members = [shape] if shape.path is not None else [shape, *shape.properties]
            fs = sorted(nodes)
            fails: list[tuple[int, int, int, object]] = []  # (node index, member, constraint, bad values)
            plan = []
            for member in members:
                key = id(member)
                if key not in checks:
                    checks[key] = [self._check(c, data) for c in member.constraints]
                if checks[key]:
                    plan.append((member, checks[key]))
            for mi, (member, member_checks) in enumerate(plan):
                path = member.path
                # The value nodes of each focus node: None (none), one value (a str) or a collection.
                if path is None:
                    col: list = fs
                elif len(path) == 1 and not path[0][1]:  # a one-step path: look the values up directly
                    col = list(map(data.sp.get(path[0][0], _NO_VALUES).get, fs))
                else:
                    col = [data.values(f, path) for f in fs]
                counts = multi = None
                for ci, (kind, arg) in enumerate(member_checks):
                    if kind == "minCount" or kind == "maxCount":
                        if counts is None:
                            counts = [0 if x is None else 1 if x.__class__ is str else len(x) for x in col]
                        if kind == "minCount":
                            fails += [(i, mi, ci, _ONCE) for i, n in enumerate(counts) if n < arg]
                        else:
                            fails += [(i, mi, ci, _ONCE) for i, n in enumerate(counts) if n > arg]
                    elif kind == "hasValue":
                        fails += [
                            (i, mi, ci, _ONCE)
                            for i, x in enumerate(col)
                            if not (x == arg if x.__class__ is str else x is not None and arg in x)
                        ]
                    elif kind == "value":  # arg: the test that fails a value node
                        fails += [(i, mi, ci, (x,)) for i, x in enumerate(col) if x.__class__ is str and arg(x)]
                        if multi is None:
                            multi = [(i, x) for i, x in enumerate(col) if x is not None and x.__class__ is not str]
                        for i, x in multi:
                            bad = [v for v in x if arg(v)]
                            if bad:
                                fails.append((i, mi, ci, bad))
            fails.sort(key=_fail_order)
            for i, mi, ci, bad in fails:
                member = plan[mi][0]
                c = member.constraints[ci]
                f = fs[i]
                for v in sorted(bad, key=_sort_key):
                    self._result(member, c, f, v, sources, results)
        return results

    def _check(self, c: _Constraint, data: DataIndex) -> tuple[str, object]:
        """(kind, argument) for a count or hasValue constraint, ("value", test) for a constraint
        on each value node, where test(v) is True when v fails it."""
        kind, arg = c.kind, c.arg
        if kind in ("minCount", "maxCount", "hasValue"):
            return kind, arg
        if kind == "class":
            classes = data.subclasses(arg)
            cache: dict[str, bool] = {}

            def not_instance(v: str) -> bool:
                bad = cache.get(v)
                if bad is None:
                    bad = cache[v] = not (v[0] != '"' and data.is_instance(v, classes))
                return bad

            return "value", not_instance
        if kind == "datatype":
            dt_cache = self._datatype_cache
            return "value", lambda v: not _datatype_ok(v, arg, dt_cache)
        if kind == "nodeKind":
            return "value", lambda v: v[0] not in arg
        if kind == "pattern":
            search = arg.search
            matched: dict[str, bool] = {}  # values repeat (years, shared IRIs)

            def no_match(v: str) -> bool:
                bad = matched.get(v)
                if bad is None:
                    bad = v[0] == "_" or search(_lexical(v)) is None
                    if len(matched) < 100_000:
                        matched[v] = bad
                return bad

            return "value", no_match
        if kind == "minLength":
            if arg == 0:
                return "value", lambda v: False
            return "value", lambda v: v[0] == "_" or len(_lexical(v)) < arg
        if kind == "maxLength":
            return "value", lambda v: v[0] == "_" or len(_lexical(v)) > arg
        if kind == "in":
            return "value", lambda v: v not in arg
        raise AssertionError(kind)

    def _result(self, shape: _Shape, c: _Constraint, f: str, v: str | None, sources, results: list[Result]) -> None:
        focus = f[1:-1] if f[0] == "<" else str(from_nt(f))
        text = shape.message if shape.message is not None else _generic_message(shape, c, f)
        value = None if v is None else v[1:-1] if v[0] == "<" else str(from_nt(v))
        if v is not None and v != f:
            text += f" (value: {compact(value)})"
        path = shape.result_path if shape.path is not None else None
        for source in sources.get(focus, [""]):
            results.append(
                Result(
                    shape.severity,
                    text,
                    source,
                    shape.fld,
                    focus_node=focus,
                    path=str(path) if isinstance(path, URIRef) else "",
                    source_shape=str(shape.node) if isinstance(shape.node, URIRef) else "",
                    constraint=c.component,
                    value=value if value is not None else "",
                )
            )


def _sort_key(v: str | None) -> str:
    return v or ""


_ONCE = (None,)  # the failing "value" of a count or hasValue constraint: the focus node


def _fail_order(fail: tuple) -> tuple[int, int, int]:
    return fail[0], fail[1], fail[2]


def _generic_message(shape: _Shape, c: _Constraint, f: str) -> str:
    """pyshacl's default message wording, for shapes without sh:message (prefixes may differ)."""
    path = compact(str(shape.result_path)) if shape.result_path is not None else None
    focus = compact(str(from_nt(f)))
    on = f"{focus}->{path}" if path else focus
    arg = c.arg
    if c.kind == "minCount":
        return f"Less than {arg} values on {on}"
    if c.kind == "maxCount":
        return f"More than {arg} values on {on}"
    if c.kind == "class":
        return f"Value does not have class {compact(str(from_nt(arg)))}"
    if c.kind == "datatype":
        return f"Value is not Literal with datatype {compact(str(from_nt(arg)))}"
    if c.kind == "nodeKind":
        kinds = {v: k for k, v in _NODE_KINDS.items()}
        return f"Value is not of Node Kind {compact(str(kinds[arg]))}"
    if c.kind == "pattern":
        return f"Value does not match pattern '{arg.pattern}'"
    if c.kind == "minLength":
        return f"String length not >= {arg}"
    if c.kind == "maxLength":
        return f"String length not <= {arg}"
    if c.kind == "in":
        return "Value is not in the list of allowed values"
    return f"Node does not have value {compact(str(from_nt(arg)))}"


_PROGRAMS: dict[int, tuple[Graph, ShapesProgram]] = {}


def compile_shapes(shapes: Graph | None = None) -> ShapesProgram:
    """Compile a shapes graph (the project's shapes by default); cached per graph object."""
    if shapes is None:
        from .validation import shapes_graph

        shapes = shapes_graph()
    found = _PROGRAMS.get(id(shapes))
    if found is None or found[0] is not shapes:
        found = _PROGRAMS[id(shapes)] = (shapes, ShapesProgram(shapes))
    return found[1]


def validate_fast(
    data: DataIndex | Graph | Iterable[Triple],
    shapes_graph: Graph | None = None,
    sources: Mapping[str, list[str]] | None = None,
    *,
    focus: Iterable[str] | None = None,
) -> list[Result]:
    """What :func:`opsi_kg.validation.validate` returns for ``data``, without pyshacl.

    ``data`` is the whole data graph (asserted + inferred + vocabularies) as N-Triples-string
    triples, an rdflib Graph, or a :class:`DataIndex` from :meth:`ShapesProgram.index`.
    Raises :class:`UnsupportedShape` when the shapes need pyshacl.
    """
    return compile_shapes(shapes_graph).validate(data, sources, focus=focus)


__all__ = ["DataIndex", "ShapesProgram", "UnsupportedShape", "compile_shapes", "validate_fast"]
