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

from .namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES, VOCAB_GRAPH, bind_prefixes
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
    """JSON-LD with the project's prefixes as context, nodes sorted by @id, values sorted."""
    context = dict(PREFIXES)
    raw = graph.serialize(format="json-ld", context=context, auto_compact=True)
    doc = json.loads(raw)
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    canon = []
    for node in nodes:
        clean = {}
        for k in sorted(node):
            v = node[k]
            if isinstance(v, list):
                v = sorted(v, key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))
            clean[k] = v
        canon.append(clean)
    canon.sort(key=lambda n: str(n.get("@id", "")))
    out = {"@context": context, "@graph": canon}
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=False) + "\n"




def _dump_turtle(result: BuildResult) -> str:
    return turtle(result.asserted, result.base)


def _dump_nt(result: BuildResult) -> str:
    return ntriples(result.asserted)


def _dump_jsonld(result: BuildResult) -> str:
    return jsonld(result.asserted, result.base)


def _dump_trig(result: BuildResult) -> str:
    graphs = {ASSERTED_GRAPH: result.asserted, INFERRED_GRAPH: result.inferred, VOCAB_GRAPH: result.vocabularies}
    return trig_text({str(k): triples_of(g) for k, g in graphs.items()}, _prefixes(result.base))


def _report_md(result: BuildResult) -> str:
    return report_markdown(result.report)


def _report_ttl(result: BuildResult) -> str:
    return turtle(report_graph(result.report, result.base), result.base)


# name -> (file name, writer)
WRITERS: dict[str, tuple[str, Callable[[BuildResult], str]]] = {
    "ttl": ("opsi-kg.ttl", _dump_turtle),
    "nt": ("opsi-kg.nt", _dump_nt),
    "jsonld": ("opsi-kg.jsonld", _dump_jsonld),
    "trig": ("opsi-kg.trig", _dump_trig),
    "report-md": ("validation-report.md", _report_md),
    "report-ttl": ("validation-report.ttl", _report_ttl),
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
