"""The whole pipeline: load -> normalise -> map -> reason -> validate, as one function.

>>> from opsi_kg import build
>>> result = build()                       # the embedded default dataset, data/cases
>>> result.report.read == result.report.built + len(result.report.quarantined)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from .mapping import map_records, subject_sources
from .namespaces import ASSERTED_GRAPH, DEFAULT_BASE, INFERRED_GRAPH, VOCAB_GRAPH, Iris, bind_prefixes
from .normalise import CaseRecord, normalise_all
from .reasoning import infer
from .records import load_records
from .report import Report, Result, Severity
from .resources import default_data
from .validation import validate
from .vocab import vocabulary

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class BuildResult:
    """Everything one build made: the records, the three graphs and the report."""

    records: list[CaseRecord]
    asserted: Graph
    inferred: Graph
    vocabularies: Graph
    report: Report
    sources: dict[str, list[str]] = field(default_factory=dict)
    base: str = DEFAULT_BASE

    def dataset(self) -> Dataset:
        """The graphs as one dataset with named graphs (asserted, inferred, vocabularies)."""
        ds = bind_prefixes(Dataset(), self.base)
        for name, graph in (
            (ASSERTED_GRAPH, self.asserted),
            (INFERRED_GRAPH, self.inferred),
            (VOCAB_GRAPH, self.vocabularies),
        ):
            target = ds.graph(name)
            for triple in graph:
                target.add(triple)
        return ds

    def data_graph(self) -> Graph:
        """Asserted + inferred + vocabularies in one graph (what SHACL and queries see)."""
        graph = bind_prefixes(Graph(), self.base)
        for part in (self.asserted, self.inferred, self.vocabularies):
            for triple in part:
                graph.add(triple)
        return graph


def build(data: Path | str | None = None, *, base: str = DEFAULT_BASE, progress: Progress = _quiet) -> BuildResult:
    """Run the pipeline on ``data`` (a folder of YAML records, or a YAML/CSV/JSON file).

    Records that fail to load or normalise, or whose graph has SHACL violations, are quarantined:
    reported, and left out of the graphs. Raises :class:`~opsi_kg.records.InputError` when the
    input as a whole cannot be read.
    """
    data = Path(data) if data is not None else default_data()
    iris = Iris(base)
    progress(f"loading records from {data}")
    raws = list(load_records(data))
    vocab = vocabulary()
    progress(f"normalising {len(raws)} records")
    records, results, quarantined, read = normalise_all(raws, vocab)
    report = Report(read=read)
    report.add(results)
    report.quarantined.extend(quarantined)

    progress(f"mapping {len(records)} records to RDF")
    asserted = map_records(records, iris)
    progress(f"reasoning (OWL 2 RL) over {len(asserted)} asserted triples")
    inferred = infer(asserted, base=base)
    sources = subject_sources(records, iris)
    progress("validating (SHACL)")
    shacl = validate(_union(asserted, inferred, vocab.graph), sources)
    failing = {r.source for r in shacl if r.severity is Severity.ERROR and r.source}
    if failing:
        # Quarantine the records with violations and rebuild the graphs without them; their
        # results stay in the report.
        report.quarantined.extend(sorted(failing))
        records = [r for r in records if r.source not in failing]
        progress(f"quarantined {len(failing)} records with violations; rebuilding without them")
        asserted = map_records(records, iris)
        inferred = infer(asserted, base=base)
        sources = subject_sources(records, iris)
        kept = validate(_union(asserted, inferred, vocab.graph), sources)
        shacl = [r for r in shacl if r.source in failing] + kept
    report.add(shacl)
    report.built = len(records)
    vocabularies = bind_prefixes(Graph(), base)
    for triple in vocab.graph:
        vocabularies.add(triple)
    progress(report.summary())
    return BuildResult(records, asserted, inferred, vocabularies, report, sources, base)


def _union(*graphs: Graph) -> Graph:
    out = Graph()
    for g in graphs:
        for triple in g:
            out.add(triple)
    return out


__all__ = ["BuildResult", "Result", "build"]
