"""SELECT and ASK results written in the SPARQL 1.1 result formats, from pyoxigraph terms.

The worker collects at most the server's row limit of solutions before writing anything, so
these writers take a list of rows (tuples of terms, ``None`` for unbound), not a live iterator.
Writers are picked by format name from :data:`TABLE_WRITERS`.

>>> import pyoxigraph as ox
>>> rows = [(ox.NamedNode("http://ex/a"), ox.Literal("x, y", language="en")), (None, ox.BlankNode("b0"))]
>>> print(write_table("csv", ["s", "o"], rows).decode(), end="")
s,o
http://ex/a,"x, y"
,_:b0
>>> print(write_table("tsv", ["s", "o"], rows).decode(), end="")
?s	?o
<http://ex/a>	"x, y"@en
	_:b0
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Row = Sequence[object | None]


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # SPARQL-star
        return {
            "type": "triple",
            "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                      "object": _json_term(term.object)},
        }
    raise TypeError(f"cannot write {term!r}")


def _json(names: list[str], rows: list[Row]) -> bytes:
    bindings = [{n: _json_term(v) for n, v in zip(names, row, strict=True) if v is not None} for row in rows]
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"cannot write {term!r}")


def _xml(names: list[str], rows: list[Row]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "<head>"]
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("<result>")
        for n, v in zip(names, row, strict=True):
            if v is not None:
                out.append(f"<binding name={quoteattr(n)}>{_xml_term(v)}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>", ""]
    return "\n".join(out).encode("utf-8")


def _csv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _csv(names: list[str], rows: list[Row]) -> bytes:
    lines = [",".join(names)]
    lines += [",".join(_csv_cell(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv_cell(term) -> str:
    # pyoxigraph terms print in N-Triples syntax (<iri>, _:b, "v"@en, "v"^^<dt>), tabs escaped
    return "" if term is None else str(term)


def _tsv(names: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_tsv_cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


TABLE_WRITERS: dict[str, Callable[[list[str], list[Row]], bytes]] = {
    "json": _json,
    "xml": _xml,
    "csv": _csv,
    "tsv": _tsv,
}


def write_table(fmt: str, names: list[str], rows: list[Row]) -> bytes:
    """SELECT results (variable names and rows) in the format named ``fmt``."""
    return TABLE_WRITERS[fmt](names, rows)


def write_boolean(fmt: str, value: bool) -> bytes:
    """An ASK answer. CSV and TSV have no ASK form in the standard; they get one column, as Jena does."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n<head/>\n'
                f"<boolean>{word}</boolean>\n</sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise KeyError(fmt)
