"""Diagnostics and the validation report.

Every problem found anywhere in the pipeline (a record that does not load, a value that does not
normalise, a SHACL result) becomes one frozen :class:`Result`; a :class:`Report` holds them with
the record counts. Rendering to text, markdown and Turtle lives in :mod:`opsi_kg.render`.

>>> r = Result(Severity.ERROR, "unknown country 'Frnace': did you mean France?",
...            source="cases/x.yaml", field="countries")
>>> r.line()
"[ERROR] cases/x.yaml: countries: unknown country 'Frnace': did you mean France?"
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Severities, ordered; ERROR is SHACL's sh:Violation."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def shacl_name(self) -> str:
        return {Severity.INFO: "Info", Severity.WARNING: "Warning", Severity.ERROR: "Violation"}[self]

    @classmethod
    def from_shacl(cls, iri: str) -> Severity:
        name = iri.rsplit("#", 1)[-1]
        return {"Info": cls.INFO, "Warning": cls.WARNING, "Violation": cls.ERROR}[name]


@dataclass(frozen=True, order=True)
class Result:
    """One finding about one record (or one source row), with where it came from."""

    severity: Severity
    message: str
    source: str = ""  # record file (relative to the data folder) or "file.csv:12"
    field: str = ""  # record field, e.g. "countries" or "actors[2].name"
    focus_node: str = ""  # IRI the finding is about, when there is one
    path: str = ""  # property path (SHACL result path)
    source_shape: str = ""  # shape IRI, or the pipeline stage that found it ("load", "normalise")
    constraint: str = ""  # SHACL constraint component IRI, when SHACL found it
    value: str = ""  # the offending value, when there is one

    def __reduce__(self):  # as a tuple: build caches pickle many of these
        return (
            Result,
            (self.severity, self.message, self.source, self.field, self.focus_node, self.path, self.source_shape,
             self.constraint, self.value),
        )

    def line(self) -> str:
        """The one-line form used on stderr: ``[SEVERITY] source: field: message``."""
        where = self.source or self.focus_node or "-"
        fld = f"{self.field}: " if self.field else ""
        return f"[{self.severity.name}] {where}: {fld}{self.message}"


@dataclass
class Report:
    """What a build or a validation found, with the counts a steward checks."""

    results: list[Result] = field(default_factory=list)
    read: int = 0
    built: int = 0
    quarantined: list[str] = field(default_factory=list)  # record sources left out of the graph

    def add(self, results: Iterable[Result]) -> None:
        self.results.extend(results)

    def iter_results(self, min_severity: Severity = Severity.INFO) -> Iterator[Result]:
        """Results at or above ``min_severity``, sorted by source, then severity (worst first)."""
        chosen = (r for r in self.results if r.severity >= min_severity)
        yield from sorted(
            chosen,
            key=lambda r: (r.source, -r.severity, r.field, r.message, r.focus_node, r.path, r.value, r.source_shape),
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def conforms(self) -> bool:
        """True when nothing is at ERROR (violation) level."""
        return self.count(Severity.ERROR) == 0

    def by_source(self, min_severity: Severity = Severity.INFO) -> dict[str, list[Result]]:
        grouped: dict[str, list[Result]] = {}
        for r in self.iter_results(min_severity):
            grouped.setdefault(r.source or "(graph)", []).append(r)
        return grouped

    def summary(self) -> str:
        return (
            f"read {self.read} records: {self.built} built, {len(self.quarantined)} quarantined; "
            f"{self.count(Severity.ERROR)} errors, {self.count(Severity.WARNING)} warnings"
        )
