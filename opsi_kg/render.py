"""Rendering: query results as text, CSV, JSON or markdown; reports as text, markdown or Turtle.

Formats are picked by name from :data:`TABLE_FORMATS` and :data:`REPORT_FORMATS`.

>>> from rdflib import Literal
>>> from opsi_kg.store import QueryResult
>>> print(render_table(QueryResult(["n"], [(Literal(1),)]), "csv").strip())
n
1
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from .namespaces import SHAPE, bind_prefixes, compact
from .report import Report
from .store import QueryResult


def cell(term: Node | None) -> str:
    """A term as a person reads it in a table: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    return str(term)


def _text(result: QueryResult) -> str:
    if result.kind == "boolean":
        return "yes\n" if result.boolean else "no\n"
    rows = [[cell(v) for v in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(result.vars)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(result.vars), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _csv(result: QueryResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if result.kind == "boolean":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    writer.writerow(result.vars)
    for row in result.rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return buf.getvalue()


def json_term(term: Node) -> dict:
    """One term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
    return out


def _json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "boolean":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2) + "\n"
    bindings = [
        {name: json_term(v) for name, v in zip(result.vars, row, strict=False) if v is not None} for row in result.rows
    ]
    return (
        json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False)
        + "\n"
    )


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(result: QueryResult) -> str:
    if result.kind == "boolean":
        return f"**{'yes' if result.boolean else 'no'}**\n"
    out = ["| " + " | ".join(result.vars) + " |", "|" + "---|" * len(result.vars)]
    out += ["| " + " | ".join(_md_escape(cell(v)) for v in row) + " |" for row in result.rows]
    return "\n".join(out) + "\n"


TABLE_FORMATS: dict[str, Callable[[QueryResult], str]] = {
    "text": _text,
    "csv": _csv,
    "json": _json,
    "md": _markdown,
}


def render_table(result: QueryResult, fmt: str = "text") -> str:
    if result.kind == "graph":
        return result.graph.serialize(format="turtle")
    return TABLE_FORMATS[fmt](result)


# ---------------------------------------------------------------- reports


def report_text(report: Report) -> str:
    lines = []
    for source, results in report.by_source().items():
        lines.append(source)
        for r in results:
            shape = f" [{compact(r.source_shape)}]" if r.source_shape else ""
            fld = f"{r.field}: " if r.field else ""
            lines.append(f"  {r.severity.name:<7} {fld}{r.message}{shape}")
    lines.append(report.summary())
    if report.quarantined:
        lines.append("quarantined: " + ", ".join(report.quarantined))
    return "\n".join(lines) + "\n"


def report_markdown(report: Report) -> str:
    out = ["# Validation report", "", report.summary(), ""]
    if report.quarantined:
        out += ["## Quarantined records", ""] + [f"- `{s}`" for s in report.quarantined] + [""]
    for source, results in report.by_source().items():
        out += [f"## `{source}`", "", "| severity | field | message | shape |", "|---|---|---|---|"]
        for r in results:
            shape = f"`{compact(r.source_shape)}`" if r.source_shape else ""
            out.append(f"| {r.severity.name} | {_md_escape(r.field)} | {_md_escape(r.message)} | {shape} |")
        out.append("")
    return "\n".join(out)


def report_graph(report: Report, base: str) -> Graph:
    """The report as a SHACL validation report graph (sh:ValidationReport), IRIs not blank nodes."""
    g = bind_prefixes(Graph(), base)
    root = URIRef(base + "report")
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for n, r in enumerate(report.iter_results(), start=1):
        node = URIRef(f"{base}report/result-{n}")
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, SH[r.severity.shacl_name]))
        g.add((node, SH.resultMessage, Literal(r.message, lang="en")))
        if r.focus_node:
            g.add((node, SH.focusNode, URIRef(r.focus_node)))
        if r.path:
            g.add((node, SH.resultPath, URIRef(r.path)))
        if r.source_shape.startswith(("http://", "https://")):
            g.add((node, SH.sourceShape, URIRef(r.source_shape)))
        if r.constraint:
            g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
        if r.value:
            g.add((node, SH.value, Literal(r.value)))
        if r.source:
            g.add((node, SHAPE.recordSource, Literal(r.source)))
        if r.field:
            g.add((node, SHAPE.recordField, Literal(r.field)))
    return g


def report_turtle(report: Report, base: str = "https://w3id.org/opsi-kg/id/") -> str:
    return report_graph(report, base).serialize(format="turtle")


REPORT_FORMATS: dict[str, Callable[[Report], str]] = {
    "text": report_text,
    "md": report_markdown,
    "ttl": report_turtle,
}
