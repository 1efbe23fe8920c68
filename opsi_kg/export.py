"""Stage 8, export: the dumps portals load, written atomically and deterministically.

Writers are picked by name from :data:`WRITERS`. Two builds of the same input give byte-identical
files: Turtle and TriG come from rdflib's sorted serialisers, N-Triples lines are sorted, and the
JSON-LD document is put in a canonical order.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import BNode, Graph

from .namespaces import PREFIXES, bind_prefixes
from .pipeline import BuildResult
from .render import report_graph, report_markdown
from .terms import graph_triples
from .turtle import ntriples as ntriples_text
from .turtle import trig as trig_text
from .turtle import turtle as turtle_text


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a dump is for others to read
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _prefixes(base: str) -> dict[str, str]:
    g = bind_prefixes(Graph(), base)
    return {p: str(ns) for p, ns in g.namespaces() if p in PREFIXES}


def triples_of(graph: Graph) -> set:
    """A graph's triples as N-Triples strings, blank nodes labelled canonically (stable across runs)."""
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(graph)
    return graph_triples(graph)


def turtle(graph: Graph, base: str) -> str:
    return turtle_text(triples_of(graph), _prefixes(base))


def ntriples(graph: Graph) -> str:
    return ntriples_text(triples_of(graph))


def jsonld(graph: Graph, base: str) -> str:
    return jsonld_text(triples_of(graph), _prefixes(base))


def jsonld_text(triples, prefixes: dict[str, str]) -> str:
    """Flattened JSON-LD with the prefixes as context: one node per subject, sorted by @id, values sorted."""
    from .terms import from_nt
    from .turtle import RDF_TYPE, _Terms

    terms = _Terms(prefixes)

    def ref(nt: str) -> str:  # a compact IRI where Turtle would write one, else the full IRI
        short = terms.term(nt)
        return short[1:-1] if short.startswith("<") else short

    nodes: dict[str, dict[str, list]] = {}
    for s, p, o in triples:
        node = nodes.setdefault(s, {})
        if p == RDF_TYPE and o.startswith("<"):
            node.setdefault("@type", []).append(ref(o))
            continue
        if o.startswith("<"):
            value = {"@id": ref(o)}
        elif o.startswith("_:"):
            value = {"@id": o}
        else:
            lit = from_nt(o)
            if lit.language:
                value = {"@value": str(lit), "@language": lit.language}
            elif lit.datatype is not None:
                value = {"@value": str(lit), "@type": ref(f"<{lit.datatype}>")}
            else:
                value = str(lit)
        node.setdefault(ref(p), []).append(value)
    graph = []
    for s in sorted(nodes):
        entry = {"@id": s if s.startswith("_:") else ref(s)}
        for key in sorted(nodes[s], key=lambda k: (k != "@type", k)):
            entry[key] = sorted(nodes[s][key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        graph.append(entry)
    context = {p: prefixes[p] for p in sorted(terms.used)}
    return json.dumps({"@context": context, "@graph": graph}, indent=2, ensure_ascii=False) + "\n"


def _dump_turtle(result: BuildResult) -> str:
    return turtle_text(result.asserted_triples, _prefixes(result.base))


def _dump_nt(result: BuildResult) -> str:
    return ntriples_text(result.asserted_triples)


def _dump_jsonld(result: BuildResult) -> str:
    return jsonld_text(result.asserted_triples, _prefixes(result.base))


def _dump_trig(result: BuildResult) -> str:
    return trig_text(result.named_graphs(), _prefixes(result.base))


def _report_md(result: BuildResult) -> str:
    return report_markdown(result.report)


def _report_ttl(result: BuildResult) -> str:
    return turtle(report_graph(result.report, result.base), result.base)


def _quality_md(result: BuildResult) -> str:
    from .quality import build_quality, quality_markdown

    return quality_markdown(build_quality(result))


def _quality_html(result: BuildResult) -> str:
    from .quality import build_quality, quality_html

    return quality_html(build_quality(result))


# name -> (file name, writer)
WRITERS: dict[str, tuple[str, Callable[[BuildResult], str]]] = {
    "ttl": ("opsi-kg.ttl", _dump_turtle),
    "nt": ("opsi-kg.nt", _dump_nt),
    "jsonld": ("opsi-kg.jsonld", _dump_jsonld),
    "trig": ("opsi-kg.trig", _dump_trig),
    "report-md": ("validation-report.md", _report_md),
    "report-ttl": ("validation-report.ttl", _report_ttl),
    "quality-md": ("data-quality.md", _quality_md),
    "quality-html": ("data-quality.html", _quality_html),
}


def write_exports(result: BuildResult, out: Path | str, formats: list[str] | None = None) -> list[Path]:
    """Write the chosen exports (all by default) into ``out``; returns the paths written."""
    out = Path(out)
    written = []
    for name in formats or list(WRITERS):
        file_name, writer = WRITERS[name]
        path = out / file_name
        atomic_write(path, writer(result))
        written.append(path)
    return written
