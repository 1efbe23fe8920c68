"""The data-quality report of an import or a build: per row (or record file), its errors, its
warnings and every normalisation decision made for it, in markdown and HTML.

It is made from what the pipeline already keeps: the :class:`~opsi_kg.report.Report` (every
ERROR, WARNING and INFO result, with its source and field) and the normalised records (each
:class:`~opsi_kg.normalise.Link`, and each organisation name with the actor it became). Before the
rows come four summaries a steward reads first: the counts, the quarantined rows, the
organisations merged, the values that could not be resolved, and the values that were rewritten
(``Korea`` -> South Korea (KOR)).

Formats are picked by name from :data:`QUALITY_FORMATS`. The output has no dates or paths, so
the same input gives the same report.

>>> from opsi_kg.normalise import CaseRecord, Link
>>> from opsi_kg.namespaces import COUNTRY
>>> from opsi_kg.report import Report
>>> rec = CaseRecord("t.csv:2", "demo", title="Demo", links=[Link("countries", "Korea", COUNTRY.KOR)])
>>> q = quality_report(Report(read=1, built=1), [rec], title="t.csv")
>>> [(d.written, d.outcome) for d in q.rows[0].decisions]
[('Korea', 'South Korea (KOR)')]
>>> "<script>" in quality_html(quality_report(Report(read=1, built=1), [CaseRecord("t.csv:2", "x", title="<script>")]))
False
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import URIRef

from .namespaces import DEFAULT_BASE, Iris
from .normalise import CaseRecord, canonical_name
from .report import Report, Result, Severity
from .vocab import Vocabulary, key, vocabulary

MAX_CELL = 300  # characters of a value or message shown in a table cell
MAX_ROWS_LISTED = 8  # rows named in a summary line before "and N more"


@dataclass(frozen=True)
class Decision:
    """One normalisation decision on one row: what was written in a field and what it became."""

    field: str
    written: str
    target: str  # the IRI
    outcome: str  # how a person reads the IRI: "South Korea (KOR)"
    changed: bool  # the written value is not simply the concept's own name or code


@dataclass
class RowQuality:
    """Everything the report says about one row (or record file)."""

    source: str
    status: str  # "built", "quarantined", "header" (findings about a whole file) or "graph"
    case: str = ""  # the case id, when built
    title: str = ""
    errors: list[Result] = field(default_factory=list)
    warnings: list[Result] = field(default_factory=list)
    notes: list[Result] = field(default_factory=list)  # INFO results that are not a decision below
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class QualityReport:
    title: str
    report: Report
    rows: list[RowQuality]
    merges: list[tuple[str, str, list[tuple[str, list[str]]]]]  # (actor IRI, name, [(spelling, rows)])
    unresolved: list[tuple[str, str, list[str]]]  # (field, message, rows)
    rewritten: list[tuple[str, str, str, list[str]]]  # (field, written, outcome, rows)

    unit: str = "rows"  # what a source is: "rows" of a table, "records" of a folder

    @property
    def decision_count(self) -> int:
        return sum(len(r.decisions) for r in self.rows)

    def summary(self) -> str:
        """``read 16 rows: 15 built, 1 quarantined; 2 errors, 3 warnings; 40 decisions``."""
        r = self.report
        return (
            f"read {r.read} {self.unit}: {r.built} built, {len(r.quarantined)} quarantined; "
            f"{r.count(Severity.ERROR)} errors, {r.count(Severity.WARNING)} warnings; "
            f"{self.decision_count} normalisation decisions"
        )


def source_order(source: str) -> list:
    """Sort key putting ``t.csv:2`` before ``t.csv:10`` (numbers compared as numbers).

    >>> sorted(["t.csv:10", "t.csv:2", "t.csv:1"], key=source_order)
    ['t.csv:1', 't.csv:2', 't.csv:10']
    """
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", source)]


def _field_base(fld: str) -> str:
    return fld.split("[", 1)[0].split(".", 1)[0]


class _Labels:
    """How IRIs read (``South Korea (KOR)``), worked out once per IRI."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.known: dict[URIRef, tuple[str, str]] = {}

    def __call__(self, iri: URIRef) -> tuple[str, str]:
        """(outcome text, comparison keys joined) of a concept IRI."""
        found = self.known.get(iri)
        if found is None:
            label = self.vocab.label(iri)
            local = str(iri).rsplit("/", 1)[-1]
            outcome = f"{label} ({local})" if label != str(iri) else str(iri)
            found = self.known[iri] = (outcome, f"{key(label)}\n{key(local)}")
        return found


def _decisions(rec: CaseRecord, labels: _Labels, actor_base: str) -> list[Decision]:
    out = []
    for link in rec.links:
        outcome, keys = labels(link.target)
        changed = key(link.raw) not in keys.split("\n")
        out.append(Decision(link.field, link.raw, str(link.target), outcome, changed))
    for actor in rec.actors:
        if not actor.written:
            continue
        name = canonical_name(actor.name, actor.acronym)
        out.append(
            Decision(
                actor.field,
                actor.written,
                actor_base + actor.slug,
                f"{name} (actor/{actor.slug})",
                actor.written != name,
            )
        )
    return out


def _is_link_message(r: Result) -> bool:
    """An INFO result that says the same as a Link ("'Korea' -> South Korea (KOR)")."""
    return r.message.startswith(f"{r.value!r} -> ")


def quality_report(
    report: Report,
    records: Iterable[CaseRecord],
    vocab: Vocabulary | None = None,
    *,
    title: str = "",
    base: str = DEFAULT_BASE,
    unit: str = "rows",
) -> QualityReport:
    """Gather the report's results and the records' decisions per row."""
    vocab = vocab or vocabulary()
    iris = Iris(base)
    labels, actor_base = _Labels(vocab), str(iris.actor(""))
    records = list(records)
    by_source = {rec.source: rec for rec in records}
    quarantined = set(report.quarantined)
    rows: dict[str, RowQuality] = {}

    def row(source: str) -> RowQuality:
        if source not in rows:
            if source in quarantined:
                status = "quarantined"
            elif source in by_source:
                status = "built"
            else:
                status = "header" if source else "graph"
            rows[source] = RowQuality(source or "(graph)", status)
        return rows[source]

    for rec in records:
        r = row(rec.source)
        r.case, r.title = rec.slug, rec.title or ""
        r.decisions = _decisions(rec, labels, actor_base)
    for source in report.quarantined:
        row(source)
    for result in report.results:
        r = row(result.source)
        if result.severity is Severity.ERROR:
            r.errors.append(result)
        elif result.severity is Severity.WARNING:
            r.warnings.append(result)
        elif not (r.status == "built" and _is_link_message(result)):
            r.notes.append(result)
    ordered = sorted(rows.values(), key=lambda r: (r.status == "graph", source_order(r.source)))
    for r in ordered:
        for items in (r.errors, r.warnings, r.notes):
            items.sort(key=lambda x: (source_order(x.field), x.message))
    return QualityReport(
        title or "input",
        report,
        ordered,
        _merges(records, iris),
        _unresolved(report),
        _rewritten(ordered),
        unit,
    )


def _merges(records: list[CaseRecord], iris: Iris) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    spellings: dict[str, dict[str, dict[str, None]]] = {}  # actor IRI -> spelling -> rows (in order)
    names: dict[str, str] = {}
    actor_base = str(iris.actor(""))
    for rec in records:
        for actor in rec.actors:
            if not actor.written:
                continue
            iri = actor_base + actor.slug
            names[iri] = canonical_name(actor.name, actor.acronym)
            spellings.setdefault(iri, {}).setdefault(actor.written, {})[rec.source] = None
    out = []
    for iri in sorted(spellings):
        if len(spellings[iri]) > 1:
            found = [(spelling, list(rows)) for spelling, rows in spellings[iri].items()]
            out.append((iri, names[iri], sorted(found, key=lambda kv: source_order(kv[1][0]))))
    return out


def _unresolved(report: Report) -> list[tuple[str, str, list[str]]]:
    """Values normalisation could not use (ERROR or WARNING with a value), grouped by message."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in report.results:
        if r.severity >= Severity.WARNING and r.source_shape == "normalise" and r.value:
            groups.setdefault((_field_base(r.field), r.message), []).append(r.source)
    return sorted(((f, m, rows) for (f, m), rows in groups.items()), key=lambda g: (-len(g[2]), g[0], g[1]))


def _rewritten(rows: list[RowQuality]) -> list[tuple[str, str, str, list[str]]]:
    """Decisions where the written value is not the concept's own name, grouped by value."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        for d in r.decisions:
            if d.changed:
                groups.setdefault((_field_base(d.field), d.written, d.outcome), []).append(r.source)
    return sorted(((f, w, o, rows) for (f, w, o), rows in groups.items()), key=lambda g: (g[0], key(g[1]), g[1]))


# ---------------------------------------------------------------- text helpers


def _printable(text: str, limit: int = MAX_CELL) -> str:
    """Text safe to show on one line: control characters escaped, long text cut."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text


def _rows_text(rows: list[str]) -> str:
    shown = ", ".join(rows[:MAX_ROWS_LISTED])
    return shown + (f" and {len(rows) - MAX_ROWS_LISTED} more" if len(rows) > MAX_ROWS_LISTED else "")


def _counts(q: QualityReport) -> list[tuple[str, int]]:
    r = q.report
    return [
        (f"{q.unit} read", r.read),
        ("records built", r.built),
        (f"{q.unit} quarantined", len(r.quarantined)),
        ("errors", r.count(Severity.ERROR)),
        ("warnings", r.count(Severity.WARNING)),
        ("normalisation decisions", q.decision_count),
        ("values rewritten", sum(len(g[3]) for g in q.rewritten)),
        ("organisations merged", len(q.merges)),
    ]


# ---------------------------------------------------------------- markdown


_MD_MARKUP = re.compile(r"([`*\[\]])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # "_x_" would be emphasis


@lru_cache(maxsize=1 << 16)
def _md(text: str, limit: int = MAX_CELL) -> str:
    """A value in a markdown table cell: no pipes, no line breaks, no HTML, no markup."""
    text = _printable(text, limit)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    if "`" in text or "*" in text or "[" in text or "]" in text:
        text = _MD_MARKUP.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text) if "_" in text else text


def quality_markdown(q: QualityReport) -> str:
    out = [f"# Data-quality report: {_md(q.title)}", "", _md(q.summary()), ""]
    out += ["| measure | count |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in _counts(q)] + [""]
    quarantined = [r for r in q.rows if r.status == "quarantined"]
    if quarantined:
        out += [f"## Quarantined {q.unit}", "", "| source | field | error |", "|---|---|---|"]
        for r in quarantined:
            for e in r.errors or [Result(Severity.ERROR, "quarantined", r.source)]:
                out.append(f"| {_md(r.source)} | {_md(e.field)} | {_md(e.message)} |")
        out.append("")
    if q.merges:
        out += ["## Organisations merged", "", "| actor | written as | rows |", "|---|---|---|"]
        for iri, name, spellings in q.merges:
            for spelling, rows in spellings:
                out.append(f"| {_md(name)} ({_md(iri)}) | {_md(spelling)} | {_md(_rows_text(rows))} |")
        out.append("")
    if q.unresolved:
        out += ["## Values not resolved", "", "| field | problem | rows |", "|---|---|---|"]
        for fld, message, rows in q.unresolved:
            out.append(f"| {_md(fld)} | {_md(message)} | {_md(_rows_text(rows))} |")
        out.append("")
    if q.rewritten:
        out += ["## Values rewritten", "", "| field | written | became | rows |", "|---|---|---|---|"]
        for fld, written, outcome, rows in q.rewritten:
            out.append(f"| {_md(fld)} | {_md(written)} | {_md(outcome)} | {_md(_rows_text(rows))} |")
        out.append("")
    out += [f"## {q.unit.capitalize()}", ""]
    for r in q.rows:
        head = f"### {_md(r.source)}: {r.status}"
        if r.case:
            head += f" as case {_md(r.case)}"
        out += [head, ""]
        if r.title:
            out += [f"*{_md(r.title)}*", ""]
        findings = [*r.errors, *r.warnings, *r.notes]
        for f in findings:
            where = f" {_md(f.field)}" if f.field else ""
            out.append(f"- {f.severity.name}{where}: {_md(f.message)}")
        if findings:
            out.append("")
        if r.decisions:
            out += ["| field | written | linked to | |", "|---|---|---|---|"]
            for d in r.decisions:
                mark = "rewritten" if d.changed else ""
                out.append(f"| {_md(d.field)} | {_md(d.written)} | {_md(d.outcome)} | {mark} |")
            out.append("")
        if not findings and not r.decisions:
            out += ["No findings and no decisions.", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; }
.ERROR { color: #a00; font-weight: bold; } .WARNING { color: #a60; } .INFO { color: #555; }
.quarantined h3 { color: #a00; } .rewritten { background: #fff6d5; }
section.row { border-top: 1px solid #ddd; }
code { background: #f3f3f3; padding: 0 .2rem; }
"""


@lru_cache(maxsize=1 << 16)
def _h(text: str, limit: int = MAX_CELL) -> str:
    return html.escape(_printable(text, limit), quote=True)


def _table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> list[str]:
    out = ["<table>", "<tr>" + "".join(f"<th>{_h(h)}</th>" for h in headers) + "</tr>"]
    for i, cells in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return out


def quality_html(q: QualityReport) -> str:
    """A self-contained HTML page; every value from the input is escaped."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Data-quality report: {_h(q.title)}</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>Data-quality report: {_h(q.title)}</h1>",
        f"<p>{_h(q.summary())}</p>",
    ]
    out += ["<table>"] + [f'<tr><th>{_h(k)}</th><td class="n">{v}</td></tr>' for k, v in _counts(q)] + ["</table>"]
    anchors = {r.source: f"row-{i}" for i, r in enumerate(q.rows, start=1)}

    def row_link(source: str) -> str:
        return f'<a href="#{anchors[source]}">{_h(source)}</a>' if source in anchors else _h(source)

    def rows_html(rows: list[str]) -> str:
        shown = ", ".join(row_link(s) for s in rows[:MAX_ROWS_LISTED])
        more = len(rows) - MAX_ROWS_LISTED
        return shown + (f" and {more} more" if more > 0 else "")

    quarantined = [r for r in q.rows if r.status == "quarantined"]
    if quarantined:
        out.append(f"<h2>Quarantined {_h(q.unit)}</h2>")
        cells = [
            [row_link(r.source), f"<code>{_h(e.field)}</code>", _h(e.message)]
            for r in quarantined
            for e in (r.errors or [Result(Severity.ERROR, "quarantined", r.source)])
        ]
        out += _table(["source", "field", "error"], cells)
    if q.merges:
        out.append("<h2>Organisations merged</h2>")
        cells = [
            [f"{_h(name)}<br><code>{_h(iri)}</code>", _h(spelling), rows_html(rows)]
            for iri, name, spellings in q.merges
            for spelling, rows in spellings
        ]
        out += _table(["actor", "written as", "rows"], cells)
    if q.unresolved:
        out.append("<h2>Values not resolved</h2>")
        cells = [[f"<code>{_h(f)}</code>", _h(m), rows_html(rows)] for f, m, rows in q.unresolved]
        out += _table(["field", "problem", "rows"], cells)
    if q.rewritten:
        out.append("<h2>Values rewritten</h2>")
        cells = [[f"<code>{_h(f)}</code>", _h(w), _h(o), rows_html(rows)] for f, w, o, rows in q.rewritten]
        out += _table(["field", "written", "became", "rows"], cells)
    out.append(f"<h2>{_h(q.unit.capitalize())}</h2>")
    for r in q.rows:
        out.append(f'<section class="row {r.status}" id="{anchors[r.source]}">')
        head = f"{_h(r.source)}: {_h(r.status)}"
        if r.case:
            head += f" as case <code>{_h(r.case)}</code>"
        out.append(f"<h3>{head}</h3>")
        if r.title:
            out.append(f"<p><em>{_h(r.title)}</em></p>")
        findings = [*r.errors, *r.warnings, *r.notes]
        if findings:
            out.append("<ul>")
            for f in findings:
                where = f" <code>{_h(f.field)}</code>" if f.field else ""
                out.append(f'<li><span class="{f.severity.name}">{f.severity.name}</span>{where}: {_h(f.message)}</li>')
            out.append("</ul>")
        if r.decisions:
            cells = [
                [f"<code>{_h(d.field)}</code>", _h(d.written), _h(d.outcome), "rewritten" if d.changed else ""]
                for d in r.decisions
            ]
            out += _table(
                ["field", "written", "linked to", ""], cells, ["rewritten" if d.changed else "" for d in r.decisions]
            )
        if not findings and not r.decisions:
            out.append("<p>No findings and no decisions.</p>")
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def input_name(sources: Iterable[str]) -> tuple[str, str]:
    """(name of the input, unit) from record sources: ``("cases.csv", "rows")`` for
    ``cases.csv:12``, ``("cases", "records")`` for ``cases/x.yaml``.

    >>> input_name(["t.json#/3"]), input_name(["cases/a.yaml"])
    (('t.json', 'rows'), ('cases', 'records'))
    """
    for source in sources:
        if not source:
            continue
        m = re.fullmatch(r"(.+?)(?::\d+|#/.*)", source)
        if m:
            return m.group(1), "rows"
        return source.split("/", 1)[0], "records"
    return "input", "records"


def build_quality(result) -> QualityReport:
    """The data-quality report of a :class:`~opsi_kg.pipeline.BuildResult`."""
    sources = [rec.source for rec in result.records] + list(result.report.quarantined)
    sources += [r.source for r in result.report.results]
    title, unit = input_name(sources)
    return quality_report(result.report, result.records, title=title, base=result.base, unit=unit)


QUALITY_FORMATS: dict[str, Callable[[QualityReport], str]] = {
    "md": quality_markdown,
    "html": quality_html,
}
