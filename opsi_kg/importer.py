"""Import: a CSV or JSON table of cases into YAML case records (``opsi-kg import``).

Each row is read (:mod:`opsi_kg.tabular`) and normalised exactly as ``build --data FILE`` does;
a row that normalises is written as ``<out>/<id>.yaml`` in the format of ``data/cases``, with the
normalised values (``Korea`` becomes ``South Korea``, organisations take their merged name), so a
build of the written folder gives the same cases as a build of the table. A row with an error is
quarantined: reported, never written.

An existing file is never silently replaced: the same record (compared as data, not text) is left
as it is ("unchanged"); a different one is kept and the row reported as a conflict, unless
``force`` is given, when it is replaced. Writing ``<id>-2.yaml`` instead would put the same case in
the graph twice, so the importer does not do that.

>>> from opsi_kg.normalise import CaseRecord
>>> print(dump_record(record_document(CaseRecord("t.csv:2", "demo", title="Demo", year=2019)), "t.csv:2"), end="")
# Imported by opsi-kg import from t.csv:2. Edit freely: a later import will not overwrite it without --force.
id: demo
title: Demo
year: 2019
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .normalise import CaseRecord, canonical_name, gc_paused, normalise_all
from .records import InputError, load_records
from .report import Report, Result, Severity
from .vocab import Vocabulary, vocabulary

TABLE_SUFFIXES = (".csv", ".json")

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class ImportResult:
    """What one import did: the report (rows read, built, quarantined) and the files touched."""

    source: Path
    out: Path | None
    report: Report
    records: list[CaseRecord]
    written: list[Path] = field(default_factory=list)  # new files
    replaced: list[Path] = field(default_factory=list)  # different files replaced (force)
    unchanged: list[Path] = field(default_factory=list)  # the same record was already there
    conflicts: list[Path] = field(default_factory=list)  # a different record is there: not written

    def summary(self) -> str:
        """``read 16 rows: 15 built, 1 quarantined; ...`` then what happened to the files."""
        r = self.report
        first = (
            f"read {r.read} rows: {r.built} built, {len(r.quarantined)} quarantined; "
            f"{r.count(Severity.ERROR)} errors, {r.count(Severity.WARNING)} warnings"
        )
        if self.out is None:
            return first + "\n(dry run: no records written)"
        parts = [f"{len(self.written)} written", f"{len(self.unchanged)} unchanged"]
        if self.replaced:
            parts.append(f"{len(self.replaced)} replaced")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} not written (a different record exists; --force replaces it)")
        return first + f"\nrecords in {self.out}: " + ", ".join(parts)


def _local(iri: Any) -> str:
    return str(iri).rsplit("/", 1)[-1]


_WRITTEN: dict[tuple[int, str], str] = {}  # (vocabulary, IRI) -> how a record writes it


def _country_value(iri: Any, vocab: Vocabulary) -> str:
    """A country as a person writes it: its English name when that reads back as the same
    country, else its code."""
    found = _WRITTEN.get((id(vocab), iri))
    if found is None:
        label = vocab.countries.labels.get(iri)
        found = label if label and vocab.countries.resolve(label) == iri else _local(iri)
        _WRITTEN[(id(vocab), iri)] = found
    return found


def _region_value(iri: Any, vocab: Vocabulary) -> str:
    label = vocab.regions.labels.get(iri)
    return label if label and vocab.regions.resolve(label) == iri else _local(iri)


def record_document(rec: CaseRecord, vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The YAML record (a plain mapping) of a normalised case, fields in the order of data/cases.

    Resolved values are written in their canonical form (country names, theme and level slugs,
    merged organisation names); unknown theme tags and non-URL sources are kept as written, so
    reading the record back gives the same case (and the same warnings).
    """
    vocab = vocab or vocabulary()
    doc: dict[str, Any] = {"id": rec.slug}
    if rec.title:
        doc["title"] = rec.title
    if rec.summary:
        doc["summary"] = rec.summary
    # Regions the countries field named ("EU") stay there; the region field's value is "region".
    from_countries = [link.target for link in rec.links if link.field == "countries"]
    countries = [_country_value(c, vocab) for c in rec.countries]
    regions = [r for r in rec.regions if r not in from_countries]
    moved = [r for r in rec.regions if r in from_countries]
    if not regions and not rec.place_name and len(moved) == 1:
        regions, moved = moved, []
    countries += [_region_value(r, vocab) for r in moved]
    if countries:
        doc["countries"] = countries
    if regions:
        doc["region"] = _region_value(regions[0], vocab)
    elif rec.place_name:
        doc["region"] = rec.place_name
    if rec.city:
        doc["city"] = rec.city
    if rec.year is not None:
        doc["year"] = rec.year
    if rec.level is not None:
        doc["level_of_government"] = _local(rec.level)
    actors = []
    for actor in rec.actors:
        entry: dict[str, Any] = {"name": canonical_name(actor.name, actor.acronym), "role": actor.role}
        if actor.type is not None:
            entry["type"] = _local(actor.type)
        if actor.country is not None:
            entry["country"] = _country_value(actor.country, vocab)
        actors.append(entry)
    if actors:
        doc["actors"] = actors
    themes = [_local(t) for t in rec.themes] + list(rec.keywords)
    if themes:
        doc["themes"] = themes
    awards = []
    for award in rec.awards:
        awards.append({"name": award.name, "year": award.year} if award.year is not None else {"name": award.name})
    if awards:
        doc["awards"] = awards
    if rec.sdgs:
        doc["sdgs"] = list(rec.sdgs)
    sources = list(rec.sources) + list(rec.citations)
    if sources:
        doc["sources"] = sources
    return doc


# ---------------------------------------------------------------- writing YAML
#
# Records are written by a small emitter for their one shape (a mapping of scalars, lists of
# scalars and lists of small mappings) rather than by PyYAML's general one, which was most of the
# time of a large import. A string is written plain when YAML reads it back as the same string,
# as a literal block when it has line breaks, else double-quoted (JSON escapes are YAML escapes).
# Every written record is read back by PyYAML in the tests (and in the fuzz test) and compared.

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_FLOW_SAFE = frozenset(" -_.()/&+'’")  # besides letters and digits, in a one-line [list]
_FLOW_FIELDS = frozenset({"countries", "themes", "sdgs"})  # short lists, written on one line


@lru_cache(maxsize=1 << 14)
def _plain_ok(text: str, in_flow: bool) -> bool:
    """True when ``text`` can be written as a plain scalar and read back as this string."""
    if not text or not text.isprintable() or not text[0].isalnum() or text != text.strip():
        return False
    if ": " in text or " #" in text or text.endswith(":") or "  " in text:
        return False
    if in_flow and not all(c.isalnum() or c in _FLOW_SAFE for c in text):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def _quoted(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)[1:-1]  # escapes quotes, backslashes and C0 controls
    if not body.isprintable():
        body = "".join(c if c.isprintable() else _escape(c) for c in body)
    return f'"{body}"'


def _escape(c: str) -> str:
    return f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"


def _scalar(value: Any, indent: str, in_flow: bool = False) -> str:
    if type(value) is str and len(value) <= 100:  # names, codes and slugs repeat across records
        return _short_scalar(value, indent, in_flow)
    return _any_scalar(value, indent, in_flow)


@lru_cache(maxsize=1 << 15)
def _short_scalar(value: str, indent: str, in_flow: bool) -> str:
    return _any_scalar(value, indent, in_flow)


def _any_scalar(value: Any, indent: str, in_flow: bool) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _plain_ok(text, in_flow):
        return text
    lines = text.split("\n")
    if not in_flow and len(lines) > 1 and all(not ln or (ln[0] not in " \t" and ln.isprintable()) for ln in lines):
        if lines[-1] and "\r" not in text:
            return "|-\n" + "\n".join(f"{indent}  {ln}" if ln else "" for ln in lines)
    return _quoted(text)


def _emit(doc: dict[str, Any], indent: str = "") -> list[str]:
    out = []
    for k, value in doc.items():
        if type(value) is not list:
            out.append(f"{indent}{k}: {_scalar(value, indent)}")
        elif not value:
            out.append(f"{indent}{k}: []")
        elif type(value[0]) is dict and all(type(v) is dict for v in value):
            out.append(f"{indent}{k}:")
            for item in value:
                first, *rest = _emit(item, indent + "    ")
                out.append(f"{indent}  - {first.lstrip()}")
                out.extend(rest)
        else:
            items = [_scalar(v, indent, True) for v in value] if k in _FLOW_FIELDS else []
            if items and sum(map(len, items)) + 2 * len(items) <= 90 and not any("\n" in i for i in items):
                out.append(f"{indent}{k}: [{', '.join(items)}]")
            else:
                out.append(f"{indent}{k}:")
                inner = indent + "    "
                out.extend(f"{indent}  - {_scalar(v, inner)}" for v in value)
    return out


def dump_record(doc: dict[str, Any], source: str) -> str:
    """The text of a record file: a comment naming the row it came from, then the YAML."""
    header = f"# Imported by opsi-kg import from {_printable_source(source)}. " + (
        "Edit freely: a later import will not overwrite it without --force.\n"
    )
    return header + "\n".join(_emit(doc)) + "\n"


def _printable_source(source: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in source)


def _write(path: Path, text: str, *, new: bool = False) -> None:
    """Write a record file. A new file is created in one write (and never over a file that
    appeared meanwhile); an existing one is replaced in one step, so a reader sees the old
    record or the new one, never half."""
    data = text.encode("utf-8")
    if new:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def _unchanged(path: Path, text: str, doc: dict[str, Any]) -> bool:
    """True when ``path`` holds this record: the same text, or other text with the same data
    (comments and layout a person changed do not count)."""
    try:
        old_text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    if old_text == text:
        return True
    return _existing(path) == doc


def _conflict(target: Path, rec: CaseRecord) -> Result:
    return Result(
        Severity.ERROR,
        f"{target} already holds a different record: not written "
        "(edit one of them, or import with --force to replace the file)",
        rec.source,
        "id",
        source_shape="import",
        value=rec.slug,
    )


def _existing(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return _UNREADABLE


_UNREADABLE = object()


def load_table(path: Path | str, vocab: Vocabulary | None = None) -> tuple[list[CaseRecord], Report]:
    """Read and normalise a CSV or JSON table: the records kept and the report (rows read, built,
    quarantined, every finding)."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(f"{path}: import takes a .csv or .json file, not {path.suffix or 'a folder'!r}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    raws = list(load_records(path))
    records, results, quarantined, read = normalise_all(raws, vocab or vocabulary())
    report = Report(read=read, built=len(records))
    report.add(results)
    report.quarantined.extend(quarantined)
    return records, report


def import_table(
    path: Path | str,
    out: Path | str | None,
    *,
    force: bool = False,
    vocab: Vocabulary | None = None,
    progress: Progress = _quiet,
) -> ImportResult:
    """Import the rows of a CSV or JSON file as YAML records into the folder ``out``.

    ``out=None`` is a dry run: rows are read and checked, nothing is written. Raises
    :class:`~opsi_kg.records.InputError` when the file cannot be read as a table.
    """
    with gc_paused():  # see opsi_kg.normalise.gc_paused
        return _import_table(Path(path), out, force, vocab or vocabulary(), progress)


def _import_table(
    path: Path, out: Path | str | None, force: bool, vocab: Vocabulary, progress: Progress
) -> ImportResult:
    progress(f"reading and normalising {path}")
    records, report = load_table(path, vocab)
    result = ImportResult(path, Path(out) if out is not None else None, report, records)
    if result.out is None:
        return result
    result.out.mkdir(parents=True, exist_ok=True)
    progress(f"writing {len(records)} records to {result.out}")
    # One listing of the folder, not a look-up per record.
    present = {entry.name for entry in os.scandir(result.out)}
    for n, rec in enumerate(records, start=1):
        doc = record_document(rec, vocab)
        text = dump_record(doc, rec.source)
        target = result.out / f"{rec.slug}.yaml"
        exists = target.name in present
        if exists:
            if _unchanged(target, text, doc):
                result.unchanged.append(target)
                continue
            if not force:
                result.conflicts.append(target)
                report.add([_conflict(target, rec)])
                continue
            result.replaced.append(target)
        else:
            result.written.append(target)
        _write(target, text, new=not exists)
        if n % 10_000 == 0:
            progress(f"wrote {n} of {len(records)} records")
    return result
