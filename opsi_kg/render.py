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


def report_triples(report: Report, base: str) -> list[tuple[str, str, str]]:
    """The report as a SHACL validation report (sh:ValidationReport), IRIs not blank nodes, as
    N-Triples string triples (:mod:`opsi_kg.terms`): quick for tens of thousands of results."""
    from .terms import iri, literal

    t = {
        name: iri(str(term))
        for name, term in (
            ("type", RDF.type),
            ("conforms", SH.conforms),
            ("result", SH.result),
            ("Result", SH.ValidationResult),
            ("severity", SH.resultSeverity),
            ("message", SH.resultMessage),
            ("focus", SH.focusNode),
            ("path", SH.resultPath),
            ("shape", SH.sourceShape),
            ("component", SH.sourceConstraintComponent),
            ("value", SH.value),
            ("source", SHAPE.recordSource),
            ("field", SHAPE.recordField),
        )
    }
    root = iri(base + "report")
    out = [
        (root, t["type"], iri(str(SH.ValidationReport))),
        (root, t["conforms"], literal("true" if report.conforms else "false", datatype=str(XSD.boolean))),
    ]
    add = out.append
    for n, r in enumerate(report.iter_results(), start=1):
        node = iri(f"{base}report/result-{n}")
        add((root, t["result"], node))
        add((node, t["type"], t["Result"]))
        add((node, t["severity"], iri(str(SH[r.severity.shacl_name]))))
        add((node, t["message"], literal(r.message, lang="en")))
        if r.focus_node:
            add((node, t["focus"], iri(r.focus_node)))
        if r.path:
            add((node, t["path"], iri(r.path)))
        if r.source_shape.startswith(("http://", "https://")):
            add((node, t["shape"], iri(r.source_shape)))
        if r.constraint:
            add((node, t["component"], iri(r.constraint)))
        if r.value:
            add((node, t["value"], literal(r.value)))
        if r.source:
            add((node, t["source"], literal(r.source)))
        if r.field:
            add((node, t["field"], literal(r.field)))
    return out


def report_graph(report: Report, base: str) -> Graph:
    """:func:`report_triples` as an rdflib graph."""
    from .terms import to_graph

    return to_graph(report_triples(report, base), bind_prefixes(Graph(), base))


def report_turtle(report: Report, base: str = "https://w3id.org/opsi-kg/id/") -> str:
    return report_graph(report, base).serialize(format="turtle")


REPORT_FORMATS: dict[str, Callable[[Report], str]] = {
    "text": report_text,
    "md": report_markdown,
    "ttl": report_turtle,
}
