"""Stage 1, load (tables): case records from a CSV or a JSON file, one record per row or item.

The CSV format (docs/import.md): a header row, then one row per case. Columns, in any order:
``id, title, summary, countries, city, year, level_of_government, lead_actors, partner_actors,
funder_actors, themes, awards, sdgs, sources`` (and ``region``). Header names are compared
case-insensitively, with spaces and hyphens read as ``_``. Multi-valued cells are separated by
``;`` (a line break inside a cell separates values too). Only ``title`` is required.

The encoding is detected (UTF-8 with or without a byte-order mark, UTF-16 with one, else
cp1252, else latin-1) and so is the delimiter (``,``, ``;`` or a tab), so the same table saved by
different spreadsheet programs gives the same records.

A JSON input is a list of objects with the same keys (lists for multi-valued fields), or an
object whose ``cases`` member is such a list.

Every row becomes a :class:`TableRow` whose source names the physical line the row starts on
(``cases.csv:12``; the header is line 1) or the item's JSON pointer (``cases.json#/0``). Reading
never raises on bad content: problems of one row are ``field_errors`` naming the column, and the
row is quarantined downstream. Problems of the file as a whole that still let rows be read (an
unknown column, the encoding used) are ``notes`` on the first row, reported once against the
header (``cases.csv:1``). A file that cannot be a table at all (no ``title`` column, not JSON)
raises :class:`~opsi_kg.records.InputError`.

>>> rows = list(read_text('Title;Countries\\nCivic lab;"Korea; UK"\\n', "demo.csv"))
>>> rows[0].source, rows[0].data
('demo.csv:2', {'title': 'Civic lab', 'countries': ['Korea', 'UK']})
>>> list(read_text("name,country\\nCivic lab,Korea\\n", "demo.csv"))
Traceback (most recent call last):
...
opsi_kg.records.InputError: demo.csv:1: the header has no 'title' column ...
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import InputError, RawRecord
from .report import Result, Severity

COLUMNS = (
    "id",
    "title",
    "summary",
    "countries",
    "city",
    "year",
    "level_of_government",
    "lead_actors",
    "partner_actors",
    "funder_actors",
    "themes",
    "awards",
    "sdgs",
    "sources",
)
# Also understood: the YAML record's fields that a table may carry.
EXTRA_COLUMNS = ("region", "actors")
KNOWN = frozenset(COLUMNS + EXTRA_COLUMNS)
MULTI_VALUED = frozenset(
    {"countries", "lead_actors", "partner_actors", "funder_actors", "themes", "awards", "sdgs", "sources"}
)
REQUIRED = "title"
DELIMITERS = (",", ";", "\t")
_AWARD_YEAR = re.compile(r"^(?P<name>.*?\S)\s*[(\[]\s*(?P<year>\d{4})\s*[)\]]$")
_SPLIT = re.compile(r"[;\r\n]+")


@dataclass
class TableRow(RawRecord):
    """A row of a table: a :class:`RawRecord` that may also carry findings about the whole file."""

    notes: list[Result] = field(default_factory=list)  # WARNING/INFO results with their own source


# ---------------------------------------------------------------- shared helpers


def column_name(header: Any) -> str:
    """The field a header cell names: ``"Lead actors "`` -> ``"lead_actors"``.

    >>> column_name("Level of government"), column_name("\\ufeffTitle"), column_name("lead-actors")
    ('level_of_government', 'title', 'lead_actors')
    """
    text = str(header).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def split_cell(text: str) -> list[str]:
    """The values of a multi-valued cell: separated by ``;`` or line breaks, trimmed, none empty.

    >>> split_cell(" Korea ;UK;; \\nTürkiye ")
    ['Korea', 'UK', 'Türkiye']
    """
    if ";" not in text and "\n" not in text and "\r" not in text:
        return [] if blank(text) else [text.strip()]
    return [v.strip() for v in _SPLIT.split(text) if not blank(v)]


def award_entry(value: Any) -> Any:
    """``"Name (2019)"`` -> ``{"name": "Name", "year": 2019}``; anything else unchanged.

    >>> award_entry("Public Sector Innovation Award (2019)")
    {'name': 'Public Sector Innovation Award', 'year': 2019}
    """
    if isinstance(value, str):
        m = _AWARD_YEAR.match(value.strip())
        if m:
            return {"name": m.group("name"), "year": int(m.group("year"))}
    return value


def blank(text: str) -> bool:
    """True for a cell with nothing to read: empty, spaces, or only control characters.

    >>> blank(" \\x00\\t"), blank("x")
    (True, False)
    """
    stripped = text.strip()
    if not stripped or stripped.isprintable():
        return not stripped
    return not any(c.isprintable() and not c.isspace() for c in stripped)


def _close(word: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(KNOWN), n=1, cutoff=0.7)
    return found[0] if found else None


def _unknown_note(source: str, name: str, where: str) -> Result:
    close = _close(name)
    hint = f": did you mean {close}?" if close else f" (known: {', '.join(COLUMNS)})"
    return Result(
        Severity.WARNING,
        f"unknown {where} {name!r} ignored in every row{hint}",
        source,
        name,
        source_shape="load",
        value=name,
    )


def _info(source: str, fld: str, message: str) -> Result:
    return Result(Severity.INFO, message, source, fld, source_shape="load")


# ---------------------------------------------------------------- decoding


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    UTF-8 (a byte-order mark is dropped), UTF-16 when it starts with one, else cp1252 (Windows
    "ANSI", a superset of latin-1's printable characters), else latin-1, which reads any bytes.

    >>> decode("Türkiye".encode("cp1252")) == decode("\\ufeffTürkiye".encode("utf-8"))[:1] + ("cp1252",)
    True
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


# ---------------------------------------------------------------- CSV


def _header_line(text: str) -> str:
    """The first non-blank physical line (the header), for delimiter detection."""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            return line
    return ""


def detect_delimiter(header: str) -> str:
    """The delimiter whose split of the header names the most known columns (ties: more cells).

    >>> detect_delimiter("id;title;countries\\n"), detect_delimiter("title,summary\\n")
    (';', ',')
    """
    best, score = ",", (-1, -1)
    for delim in DELIMITERS:
        try:
            cells = next(csv.reader([header], delimiter=delim), [])
        except csv.Error:
            continue
        names = [column_name(c) for c in cells]
        s = (sum(1 for n in names if n in KNOWN), len(cells))
        if s > score:
            best, score = delim, s
    return best


class _Lines:
    """Feeds lines to the csv reader and keeps the ones of the current row."""

    def __init__(self, text: str):
        self._it = iter(io.StringIO(text, newline=""))
        self.current: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.current.append(line)
        return line


def _unterminated(lines: list[str], delimiter: str) -> bool:
    """True when the row's text ends inside a quoted cell (a quote opened and never closed)."""
    try:
        for _ in csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def read_text(text: str, shown: str, encoding: str = "utf-8") -> Iterator[TableRow]:
    """The rows of CSV ``text``; ``shown`` names the file in sources (``shown:LINE``)."""
    stem = Path(shown).stem
    header_source = f"{shown}:1"
    delimiter = detect_delimiter(_header_line(text))
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))  # no cell is refused for its size
    try:
        rows = _csv_rows(reader, lines, delimiter)
        header_line, header, _ = next(rows, (0, None, ""))
        if header is None:
            raise InputError(f"{shown}: the file is empty: expected a header row naming the columns")
        header_source = f"{shown}:{header_line}"
        names = [column_name(h) for h in header]
        _check_header(shown, header_line, names, delimiter)
        notes = _header_notes(header_source, names, delimiter, encoding)
        for line, cells, problem in rows:
            source = f"{shown}:{line}"
            if cells is None:
                row = TableRow(source, {}, None, f"{stem}-{line}", [("", f"the row cannot be read as CSV: {problem}")])
            else:
                row = _csv_row(source, f"{stem}-{line}", names, cells, lines.current, delimiter)
            row.notes, notes = notes, []
            yield row
    finally:
        csv.field_size_limit(old_limit)


def _csv_rows(reader, lines: _Lines, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first physical line, cells, "") for each non-blank row; (line, None, why) when csv gave up."""
    start = 1
    while True:
        lines.current = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Not expected (no size limit, non-strict parsing); reported on the row, never raised.
            yield start, None, str(exc)
            start = reader.line_num + 1
            continue
        if not all(blank(c) for c in cells):
            yield start, cells, ""
        start = reader.line_num + 1


def _check_header(shown: str, line: int, names: list[str], delimiter: str) -> None:
    if REQUIRED not in names:
        found = ", ".join(repr(n) for n in names[:8] if n) or "nothing"
        raise InputError(
            f"{shown}:{line}: the header has no {REQUIRED!r} column (found {found}; delimiter "
            f"{delimiter!r}): the first row must name the columns, and only {REQUIRED!r} is required"
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name and name in seen:
            raise InputError(
                f"{shown}:{line}: column {name!r} appears twice in the header (columns {seen[name]} and {i})"
            )
        seen[name] = i


def _header_notes(source: str, names: list[str], delimiter: str, encoding: str) -> list[Result]:
    notes = [_unknown_note(source, n, "column") for n in names if n and n not in KNOWN]
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(_info(source, "", f"the file is not UTF-8: read as {encoding}"))
    if delimiter != ",":
        notes.append(_info(source, "", f"cells are separated by {delimiter!r}"))
    return notes


def _csv_row(source: str, stem: str, names: list[str], cells: list[str], lines: list[str], delimiter: str) -> TableRow:
    row = TableRow(source, {}, None, stem)
    first_line = int(source.rsplit(":", 1)[1])
    if len(lines) > 1 and _unterminated(lines, delimiter):
        col = names[len(cells) - 1] if len(cells) <= len(names) else f"column {len(cells)}"
        row.field_errors.append(
            (
                col or f"column {len(cells)}",
                f"a quoted cell opened on this row is never closed: lines {first_line}-"
                f"{first_line + len(lines) - 1} were read as this one row (check the quotes)",
            )
        )
    extra = [(i, c) for i, c in enumerate(cells[len(names) :], start=len(names) + 1) if not blank(c)]
    if extra:
        i, cell = extra[0]
        row.field_errors.append(
            (
                f"column {i}",
                f"the row has {len(cells)} cells but the header names {len(names)} columns: "
                f"cell {i} ({_short(cell)!r}) has no column (an unquoted delimiter in a cell?)",
            )
        )
    data = row.data
    assert data is not None
    for i, (name, cell) in enumerate(zip(names, cells, strict=False), start=1):
        if blank(cell):
            continue
        if not name:
            row.field_errors.append((f"column {i}", f"a value in a column without a header: {_short(cell)!r}"))
            continue
        if name not in KNOWN:
            continue  # reported once for the header
        data[name] = _cell_value(name, cell)
    if REQUIRED not in data and not any(f == REQUIRED for f, _ in row.field_errors):
        row.field_errors.append((REQUIRED, "the title is required: the row has none"))
    return row


def _cell_value(name: str, cell: str) -> Any:
    if name in MULTI_VALUED:
        values = split_cell(cell)
        return [award_entry(v) for v in values] if name == "awards" else values
    return cell.strip()


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# ---------------------------------------------------------------- JSON


def read_json_text(text: str, shown: str) -> Iterator[TableRow]:
    """The items of a JSON list (or of the ``cases`` member of an object) as rows."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{shown}: not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise InputError(f"{shown}: not JSON: {exc}") from None
    pointer = ""
    if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
        doc, pointer = doc["cases"], "/cases"
    if not isinstance(doc, list):
        raise InputError(f"{shown}: expected a JSON list of case objects, found a {_json_type(doc)}")
    stem = Path(shown).stem
    reported: set[str] = set()
    for i, item in enumerate(doc):
        source = f"{shown}#{pointer}/{i}"
        if not isinstance(item, dict):
            yield TableRow(source, None, f"expected a JSON object of case fields, found a {_json_type(item)}", stem)
            continue
        row = TableRow(source, {}, None, f"{stem}-{i}")
        data = row.data
        assert data is not None
        for k, value in item.items():
            name = column_name(k)
            if name not in KNOWN:
                if name not in reported:
                    reported.add(name)
                    row.notes.append(_unknown_note(source, name, "key"))
                continue
            if name in data:
                row.field_errors.append((name, f"key {name!r} given twice (as {k!r})"))
                continue
            if value is None or (isinstance(value, str) and blank(value)):
                continue
            if isinstance(value, str):
                value = _cell_value(name, value)
            elif name == "awards" and isinstance(value, list):
                value = [award_entry(v) for v in value]
            data[name] = value
        if REQUIRED not in data and not any(f == REQUIRED for f, _ in row.field_errors):
            row.field_errors.append((REQUIRED, "the title is required: the item has none"))
        yield row


def _json_type(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


# ---------------------------------------------------------------- entry point


def read_table(path: Path | str, shown: str) -> Iterator[TableRow]:
    """The rows of a ``.csv`` or ``.json`` file (the reader :mod:`opsi_kg.records` dispatches to)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: cannot read the file: {exc.strerror}") from None
    text, encoding = decode(raw)
    if path.suffix.lower() == ".json":
        yield from read_json_text(text, shown)
    else:
        yield from read_text(text, shown, encoding)
