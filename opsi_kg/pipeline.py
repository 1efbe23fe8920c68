"""The whole pipeline: load -> normalise -> map -> reason -> validate, as one function.

Stages exchange records, triples and report objects. Inside the pipeline a triple is three
N-Triples strings (:mod:`opsi_kg.terms`), which keeps a 100,000-case build fast; the rdflib graphs
of a :class:`BuildResult` are made from them when first asked for.

Each stage has a fast engine and a reference engine, picked by name: reasoning with the compiled
OWL RL rules of :mod:`opsi_kg.rules` or with owlrl, validation with :mod:`opsi_kg.fastshacl` or
with pyshacl. The fast engines give the same results (the test suite checks it) and hand over to
the reference engine when the ontology or the shapes use something they do not support.

>>> from opsi_kg import build
>>> result = build()                       # the embedded default dataset, data/cases
>>> result.report.read == result.report.built + len(result.report.quarantined)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from itertools import chain
from pathlib import Path

from rdflib import Dataset, Graph

from .mapping import record_nt, subject_sources
from .namespaces import ASSERTED_GRAPH, DEFAULT_BASE, INFERRED_GRAPH, VOCAB_GRAPH, Iris, bind_prefixes
from .normalise import CaseRecord, normalise_all
from .records import InputError, load_records
from .report import Report, Result, Severity
from .resources import default_data
from .terms import Triple, gc_paused, graph_triples, to_graph
from .vocab import vocabulary

Progress = Callable[[str], None]
REASONERS = ("rules", "owlrl")
VALIDATORS = ("fast", "pyshacl")


def _quiet(_message: str) -> None:
    pass


_VOCABULARY_TRIPLES: list[frozenset[Triple]] = []


def vocabulary_triples() -> frozenset[Triple]:
    """The shipped vocabularies as string triples, blank nodes labelled canonically (once per
    process: canonical labelling takes a while)."""
    if not _VOCABULARY_TRIPLES:
        from rdflib.compare import to_canonical_graph

        _VOCABULARY_TRIPLES.append(frozenset(graph_triples(to_canonical_graph(vocabulary().graph))))
    return _VOCABULARY_TRIPLES[0]


def remember_vocabulary_triples(triples: frozenset[Triple]) -> frozenset[Triple]:
    """Use ``triples`` as :func:`vocabulary_triples` in this process (a build cache keeps them for
    the same vocabulary files); returns what :func:`vocabulary_triples` gives from now on."""
    if not _VOCABULARY_TRIPLES:
        _VOCABULARY_TRIPLES.append(frozenset(triples))
    return _VOCABULARY_TRIPLES[0]


class BuildResult:
    """Everything one build made: the records, the three sets of triples and the report.

    An incremental build (:mod:`opsi_kg.incremental`) passes the records as a function and the
    triples as a function giving (asserted, inferred): they are put together when first used.
    """

    def __init__(
        self,
        records: list[CaseRecord] | Callable[[], list[CaseRecord]],
        asserted_triples: set[Triple] | Callable[[], tuple[set[Triple], set[Triple]]],
        inferred_triples: set[Triple] | None,
        report: Report,
        sources: dict[str, list[str]] | None = None,
        base: str = DEFAULT_BASE,
        engines: dict[str, str] | None = None,
    ):
        self._records = records
        self._triples = asserted_triples if callable(asserted_triples) else (asserted_triples, inferred_triples)
        self.report = report
        self.sources = sources if sources is not None else {}
        self.base = base
        self.engines = engines if engines is not None else {}  # stage -> engine that ran

    @property
    def records(self) -> list[CaseRecord]:
        """The built records, in input order."""
        if callable(self._records):
            self._records = self._records()
        return self._records

    def _loaded(self) -> tuple[set[Triple], set[Triple]]:
        if callable(self._triples):
            self._triples = self._triples()
        return self._triples

    @property
    def asserted_triples(self) -> set[Triple]:
        """What the records say, with provenance, as N-Triples string triples."""
        return self._loaded()[0]

    @property
    def inferred_triples(self) -> set[Triple]:
        """What reasoning adds about the data."""
        return self._loaded()[1]

    @property
    def vocabulary_triples(self) -> frozenset[Triple]:
        return vocabulary_triples()

    def _graph(self, triples: Iterable[Triple]) -> Graph:
        return to_graph(triples, bind_prefixes(Graph(), self.base))

    @cached_property
    def asserted(self) -> Graph:
        """The asserted graph (what the records say, with provenance)."""
        return self._graph(self.asserted_triples)

    @cached_property
    def inferred(self) -> Graph:
        """What reasoning adds about the data."""
        return self._graph(self.inferred_triples)

    @cached_property
    def vocabularies(self) -> Graph:
        """The ontology, the concept schemes, the countries and the SDGs."""
        return self._graph(self.vocabulary_triples)

    def named_graphs(self) -> dict[str, Iterable[Triple]]:
        return {
            str(ASSERTED_GRAPH): self.asserted_triples,
            str(INFERRED_GRAPH): self.inferred_triples,
            str(VOCAB_GRAPH): self.vocabulary_triples,
        }

    def store(self, backend: str = "oxigraph"):
        """An embedded SPARQL store holding the three named graphs (see :mod:`opsi_kg.store`)."""
        from .store import OxigraphStore, open_store

        if backend == "oxigraph":  # straight from the string triples, no rdflib graphs needed
            store = OxigraphStore({})
            for name, triples in self.named_graphs().items():
                store.load_triples(name, triples)
            return store
        graphs = {ASSERTED_GRAPH: self.asserted, INFERRED_GRAPH: self.inferred, VOCAB_GRAPH: self.vocabularies}
        return open_store(graphs, backend=backend)

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
        return self._graph(self.asserted_triples | self.inferred_triples | self.vocabulary_triples)


def distinct(per_record: Iterable[list[Triple]]) -> list[Triple]:
    """The records' triples without repeats, in record order (an actor's triples come with every
    record that names it).

    >>> distinct([[("<a>", "<p>", "<b>")], [("<a>", "<p>", "<b>"), ("<c>", "<p>", "<b>")]])
    [('<a>', '<p>', '<b>'), ('<c>', '<p>', '<b>')]
    """
    with gc_paused():
        return list(dict.fromkeys(chain.from_iterable(per_record)))


def reason(asserted: list[Triple], base: str, engine: str = "rules") -> tuple[set[Triple], str]:
    """Stage 4. The inferred triples about the data, and the engine that ran.

    The compiled rules give exactly owlrl's answer (minus closure noise) and hand over to owlrl
    when the ontology uses a construct they do not support.
    """
    from . import rules
    from .reasoning import infer

    if engine == "rules":
        try:
            return rules.default_rules().infer(asserted, base), "rules"
        except rules.UnsupportedAxiom:
            pass  # the ontology needs more than the rules support: owlrl, the reference
    return graph_triples(infer(to_graph(asserted), base=base)), "owlrl"


def validate(
    parts: list[Iterable[Triple]], sources: dict[str, list[str]], engine: str = "fast"
) -> tuple[list[Result], str]:
    """Stage 5. The SHACL results over the data graph given in parts (asserted, inferred,
    vocabularies), and the engine that ran."""
    from . import fastshacl
    from .validation import validate as shacl_validate

    if engine == "fast":
        try:
            program = fastshacl.compile_shapes()
            return program.validate(program.index(*parts), sources), "fast"
        except fastshacl.UnsupportedShape:
            pass  # pyshacl, the reference
    graph = Graph()
    for part in parts:
        to_graph(part, graph)
    return shacl_validate(graph, sources), "pyshacl"


def build(
    data: Path | str | None = None,
    *,
    base: str = DEFAULT_BASE,
    progress: Progress = _quiet,
    reasoner: str = "rules",
    validator: str = "fast",
    cache: Path | str | None = None,
    on_asserted: Callable[[list[Triple]], None] | None = None,
) -> BuildResult:
    """Run the pipeline on ``data`` (a folder of YAML records, or a YAML/CSV/JSON file).

    Records that fail to load or normalise, or whose graph has SHACL violations, are quarantined:
    reported, and left out of the graphs. Raises :class:`~opsi_kg.records.InputError` when the
    input as a whole cannot be read.

    With ``cache`` (a file path) and the fast engines, the build is incremental: only the records
    changed since the build that wrote the cache are redone (:mod:`opsi_kg.incremental`), with
    the same result as a full build.

    ``on_asserted`` (not with a cache) is called with the asserted triples (a list without
    repeats) as soon as mapping has settled them, and again if quarantine changes them: the last
    call has the result's asserted triples (:class:`~opsi_kg.export.AdvanceDumps` writes the
    dumps meanwhile).
    """
    if reasoner not in REASONERS or validator not in VALIDATORS:
        raise ValueError(f"reasoner must be one of {REASONERS}, validator one of {VALIDATORS}")
    data = Path(data) if data is not None else default_data()
    if cache is not None and (reasoner, validator) == ("rules", "fast"):
        if not data.exists():
            raise InputError(f"{data}: no such file or folder")
        from .incremental import build_cached

        return build_cached(data, base, Path(cache), progress)
    iris = Iris(base)
    progress(f"loading records from {data}")
    with gc_paused():
        raws = list(load_records(data))
    vocab = vocabulary()
    progress(f"normalising {len(raws)} records")
    records, results, quarantined, read = normalise_all(raws, vocab)
    del raws  # the records hold what is needed from here
    report = Report(read=read)
    report.add(results)
    report.quarantined.extend(quarantined)

    progress(f"mapping {len(records)} records to RDF")
    with gc_paused():
        per_record = [record_nt(rec, iris) for rec in records]
        asserted = distinct(per_record)
    if on_asserted is not None:
        on_asserted(asserted)
    progress(f"reasoning (OWL 2 RL, {reasoner}) over {len(asserted)} asserted triples")
    inferred, reasoned_by = reason(asserted, base, reasoner)
    sources = subject_sources(records, iris)
    progress(f"validating (SHACL, {validator})")
    shacl, validated_by = validate([asserted, inferred, vocabulary_triples()], sources, validator)
    failing = {r.source for r in shacl if r.severity is Severity.ERROR and r.source}
    if failing:
        # Quarantine the records with violations and rebuild the graphs without them; their
        # results stay in the report.
        report.quarantined.extend(sorted(failing))
        progress(f"quarantined {len(failing)} records with violations; rebuilding without them")
        kept = [(rec, triples) for rec, triples in zip(records, per_record, strict=True) if rec.source not in failing]
        records = [rec for rec, _ in kept]
        asserted = distinct(triples for _, triples in kept)
        if on_asserted is not None:
            on_asserted(asserted)
        inferred, reasoned_by = reason(asserted, base, reasoner)
        sources = subject_sources(records, iris)
        again, validated_by = validate([asserted, inferred, vocabulary_triples()], sources, validator)
        shacl = [r for r in shacl if r.source in failing] + again
    report.add(shacl)
    report.built = len(records)
    progress(report.summary())
    return BuildResult(
        records, set(asserted), inferred, report, sources, base, {"reason": reasoned_by, "validate": validated_by}
    )


__all__ = ["REASONERS", "VALIDATORS", "BuildResult", "Result", "build", "reason", "validate"]
