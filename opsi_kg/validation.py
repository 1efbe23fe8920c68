"""Stage 5, validate: SHACL with pyshacl, turned into :class:`~opsi_kg.report.Result` objects.

pyshacl is imported here and nowhere else, and its report graph is read in exactly one place,
:func:`iter_results`. Each result names the record file(s) its focus node came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from .namespaces import compact
from .report import Result, Severity
from .resources import shapes_dir


@cache
def shapes_graph() -> Graph:
    """All shapes under shapes/."""
    graph = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _field_name(shapes: Graph, shape) -> str:
    name = shapes.value(shape, SH.name)
    return str(name) if name is not None else ""


def iter_results(report: Graph, sources: Mapping[str, list[str]], shapes: Graph | None = None) -> Iterator[Result]:
    """Read pyshacl's report graph; one Result per (result, record file) pair."""
    shapes = shapes_graph() if shapes is None else shapes
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        message = report.value(node, SH.resultMessage)
        value = report.value(node, SH.value)
        severity = Severity.from_shacl(str(report.value(node, SH.resultSeverity)))
        constraint = report.value(node, SH.sourceConstraintComponent)
        fld = _field_name(shapes, shape) if shape is not None else ""
        if not fld and path is not None:
            fld = compact(str(path))
        text = str(message) if message is not None else f"fails {compact(str(constraint))}"
        if value is not None and value != focus:
            text += f" (value: {compact(str(value))})"
        for source in sources.get(str(focus), [""]):
            yield Result(
                severity,
                text,
                source,
                fld,
                focus_node=str(focus) if focus is not None else "",
                path=str(path) if isinstance(path, URIRef) else "",
                source_shape=str(shape) if isinstance(shape, URIRef) else "",
                constraint=str(constraint) if constraint is not None else "",
                value=str(value) if value is not None else "",
            )


def validate(data: Graph, sources: Mapping[str, list[str]] | None = None, shapes: Graph | None = None) -> list[Result]:
    """Validate ``data`` (already reasoned: no inference here) and return the results."""
    from pyshacl import validate as shacl_validate

    shapes = shapes_graph() if shapes is None else shapes
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    return list(iter_results(report, sources or {}, shapes))


def validate_top_level(data: Graph, shapes: Graph, sources: Mapping[str, list[str]] | None = None) -> list[Result]:
    """Like :func:`validate`, but only the report's top-level results (``sh:result``).

    Shapes that nest others (``sh:node``, ``sh:or``, as the DCAT-AP code-list shapes do) make
    pyshacl add the inner results as ``sh:detail`` of the outer one; an inner ``sh:Violation``
    under an outer ``sh:Warning`` is not a violation of the data. Used to check ``catalog.ttl``.
    """
    from pyshacl import validate as shacl_validate

    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    nested = list(report.objects(None, SH.detail))
    while nested:
        node = nested.pop()
        nested.extend(report.objects(node, SH.detail))
        report.remove((node, None, None))
    return list(iter_results(report, sources or {}, shapes))
