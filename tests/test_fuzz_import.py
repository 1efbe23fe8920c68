"""Property tests: whatever a spreadsheet holds, the importer never crashes and never loses a row.

Thousands of generated rows (random text, control characters, huge cells, wrong types in JSON,
duplicate ids, plausible values) go through read -> normalise -> write YAML -> map. Every row is
built or quarantined (rows read = built + quarantined), every quarantined row has an error naming
the row and the column, and every record written reads back as the same case.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from opsi_kg.importer import import_table
from opsi_kg.mapping import map_records, record_nt
from opsi_kg.namespaces import Iris
from opsi_kg.normalise import normalise_all
from opsi_kg.records import InputError, load_records
from opsi_kg.report import Severity
from opsi_kg.tabular import COLUMNS, KNOWN, blank
from opsi_kg.terms import graph_triples
from tests.test_import import without_provenance

FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

PLAUSIBLE = {
    "id": ["a", "b", "dup", "Case 1", "", "x" * 90],
    "title": ["Civic lab", "Open budget", "", "ONS Data Science Campus"],
    "countries": ["Korea", "UK; Türkiye", "Frnace", "France, Spain", "EU", "KR", "Lisbon"],
    "city": ["Lisbon", "Bogotá", ""],
    "year": ["2019", "2019-07-01", "July 2019", "2019/20", "1850", "3000", "0"],
    "level_of_government": ["national", "Local", "galactic"],
    "lead_actors": ["Office for National Statistics (ONS)", "ONS", "office for national statistics", "(ONS)"],
    "partner_actors": ["A; B; A", "The Agency.", "ONS"],
    "funder_actors": ["EU (EU)", "Fund"],
    "themes": ["open-data; Citizen Engagement", "zebra", "AI"],
    "awards": ["Prize (2019)", "Prize (1800)", "(2019)", "Prize"],
    "sdgs": ["16", "SDG 3", "18", "goal"],
    "sources": ["https://example.org/a", "not a url", "http://", "javascript:alert(1)"],
}

# Any text, including control characters, NUL, lone carriage returns and the delimiters.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
HUGE = st.builds(
    lambda c, n: c * n, st.sampled_from(["x", "é", ";", "\n", "a;b\r\n", "\x00"]), st.integers(1_000, 10_000)
)


def cell_for(column: str) -> st.SearchStrategy[str]:
    """Mostly plausible values, often any text or nothing, now and then a huge cell."""
    plausible = st.sampled_from(PLAUSIBLE.get(column, ["", "x"]))
    huge = HUGE if column != "title" else ANY_TEXT  # a huge cell in any column but one
    return st.integers(0, 19).flatmap(
        lambda i: plausible if i < 11 else ANY_TEXT if i < 16 else st.just("") if i < 19 else huge
    )


GOOD = {
    "id": st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True),
    "title": ANY_TEXT.filter(str.strip),
    "summary": ANY_TEXT,
    "countries": st.lists(st.sampled_from(["Korea", "UK", "Türkiye", "FR", "Viet Nam", "Korea, Rep."]), max_size=3),
    "city": st.sampled_from(["Lisbon", "Bogotá", "", "Seoul"]),
    "year": st.sampled_from(["2019", "2019-07-01", "July 2019", "", "2000"]),
    "level_of_government": st.sampled_from(["national", "Local", "regional", ""]),
    "lead_actors": st.lists(st.sampled_from(PLAUSIBLE["lead_actors"][:3] + ["Agency X", "AGENCY X."]), max_size=2),
    "partner_actors": st.lists(ANY_TEXT.filter(lambda t: ";" not in t), max_size=2),
    "funder_actors": st.lists(st.sampled_from(["Fund", "The Fund", "EU (EU)"]), max_size=2),
    "themes": st.lists(st.one_of(st.sampled_from(["open-data", "AI", "Citizen Engagement"]), ANY_TEXT), max_size=3),
    "awards": st.lists(st.sampled_from(["Prize (2019)", "Prize", "Other prize [2021]"]), max_size=2),
    "sdgs": st.lists(st.sampled_from(["16", "SDG 3", "Goal 5"]), max_size=2),
    "sources": st.lists(st.sampled_from(["https://example.org/a", "a book, p. 3"]), max_size=2),
}


def good_cell(column: str) -> st.SearchStrategy[str]:
    """A value that normalises (random text only where any text is fine)."""
    value = GOOD.get(column, ANY_TEXT)
    return value.map(lambda v: "; ".join(v) if isinstance(v, list) else v)


def row_strategy(columns: list[str]) -> st.SearchStrategy[list[str]]:
    messy = st.tuples(*[cell_for(c) for c in columns]).map(list)
    good = st.tuples(*[good_cell(c) for c in columns]).map(list)
    return st.integers(0, 2).flatmap(lambda i: good if i else messy)


@st.composite
def tables(draw):
    extra = draw(st.lists(st.sampled_from(["notes", "Country", "", "tags"]), max_size=2, unique=True))
    columns = draw(st.permutations(list(COLUMNS))) + extra
    # "title" must stay (a file without it is refused as a whole); drop some others.
    keep = [c for c in columns if c == "title" or draw(st.booleans()) or c in ("id", "countries", "lead_actors")]
    rows = draw(st.lists(row_strategy(keep), min_size=30, max_size=90))
    return keep, rows


def write(columns: list[str], rows: list[list[str]], delimiter: str) -> tuple[str, list[int]]:
    """The CSV text, and the physical line each non-blank row starts on."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    starts, line = [], 2
    for row in rows:
        before = buf.tell()
        writer.writerow(row)
        text = buf.getvalue()[before:]
        if not all(blank(c) for c in row):
            starts.append(line)
        line += len(io.StringIO(text, newline="").readlines())
    return buf.getvalue(), starts


def check(path: Path, name: str, expected_sources: list[str] | None) -> None:
    raws = list(load_records(path))
    sources = [r.source for r in raws]
    if expected_sources is not None:
        assert sources == expected_sources
    assert len(set(sources)) == len(sources)
    with tempfile.TemporaryDirectory() as folder:
        result = import_table(path, Path(folder) / "cases")
        report = result.report
        assert report.read == len(raws) == report.built + len(report.quarantined)
        assert sorted(report.quarantined + [r.source for r in result.records], key=sources.index) == sources
        for source in report.quarantined:
            errors = [r for r in report.results if r.severity is Severity.ERROR and r.source == source]
            assert errors, f"{source} quarantined without an error"
            raw = raws[sources.index(source)]
            if raw.data is None:  # a JSON item that is not an object: the item is the whole problem
                assert any("expected a JSON object" in r.message for r in errors)
            else:
                assert any(_names_a_column(r.field) for r in errors), [(r.field, r.message) for r in errors]
        for r in report.results:
            assert r.source in sources or r.source == f"{name}:1", r
        assert all(rec.title for rec in result.records)  # only the title is required, and it is
        graph = map_records(result.records)
        Graph().parse(data=graph.serialize(format="nt"), format="nt")  # the dump parses back
        # The string triples survive the trip through rdflib terms unchanged (escaping is exact).
        assert set().union(*(record_nt(r, Iris()) for r in result.records)) == graph_triples(graph)
        # Every record written reads back as the same case (the same graph, less provenance).
        again, _, quarantined, _ = normalise_all(load_records(Path(folder) / "cases"))
        assert not quarantined
        assert len(again) == len(result.written) == len(result.records)
        assert isomorphic(without_provenance(map_records(again)), without_provenance(graph))


def _names_a_column(field: str) -> bool:
    base = field.split("[", 1)[0].split(".", 1)[0]
    return base in KNOWN or base.startswith("column ")


@FUZZ
@given(tables(), st.sampled_from([",", ";"]), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_rows_are_built_or_quarantined_never_lost(table, delimiter, encoding):
    columns, rows = table
    text, starts = write(columns, rows, delimiter)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.csv"
        path.write_bytes(data)
        check(path, "cases.csv", [f"cases.csv:{n}" for n in starts])


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True), ANY_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(ANY_TEXT, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def json_items(draw):
    keys = list(COLUMNS) + ["actors", "region", "notes"]
    if draw(st.integers(0, 19)) == 0:
        return draw(JSON_VALUES)  # not an object at all
    item = {}
    for k in draw(st.lists(st.sampled_from(keys), unique=True, max_size=10)):
        plausible = st.sampled_from(PLAUSIBLE.get(k, ["x"]))
        item[k] = draw(st.integers(0, 2).flatmap(lambda i, p=plausible: p if i else JSON_VALUES))
    if draw(st.integers(0, 3)):
        item["title"] = draw(st.sampled_from(PLAUSIBLE["title"][:2]))
    return item


@FUZZ
@given(st.lists(json_items(), min_size=30, max_size=80))
def test_json_items_are_built_or_quarantined_never_lost(items):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.json"
        path.write_text(json.dumps(items), encoding="utf-8")
        check(path, "cases.json", [f"cases.json#/{i}" for i in range(len(items))])


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_a_table_or_an_input_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.csv"
        path.write_bytes(b"title,countries,year\r\n" + data)
        check(path, "cases.csv", None)
        path.write_bytes(data)
        try:
            check(path, "cases.csv", None)
        except InputError:
            pass


def test_duplicate_ids_quarantine_the_later_rows(tmp_path):
    rows = [["dup", "First"], ["dup", "Second"], ["DUP", "Third"], ["other", "Fourth"]]
    text, _ = write(["id", "title"], rows, ",")
    (tmp_path / "cases.csv").write_text(text, encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        result = import_table(tmp_path / "cases.csv", Path(folder))
    assert [r.title for r in result.records] == ["First", "Fourth"]
    assert result.report.quarantined == ["cases.csv:3", "cases.csv:4"]
    messages = {(r.source, r.field, r.message) for r in result.report.results if r.severity is Severity.ERROR}
    assert ("cases.csv:3", "id", "duplicate case id 'dup': already used by cases.csv:2") in messages


def test_huge_cells_are_read_not_refused(tmp_path):
    """Cells far over the csv module's default limit (131,072 characters) are read."""
    summary = "A long summary. " * 200_000  # 3.2 million characters
    rows = [["Huge", summary, "Korea;" * 20_000, "x" * 500_000], ["Small", "s", "UK", ""]]
    text, _ = write(["title", "summary", "countries", "themes"], rows, ",")
    (tmp_path / "cases.csv").write_text(text, encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        result = import_table(tmp_path / "cases.csv", Path(folder))
    huge, small = result.records
    assert len(huge.summary) == len(summary.strip()) and [str(c)[-3:] for c in huge.countries] == ["KOR"]
    assert huge.keywords == ["x" * 500_000]  # an unknown tag is kept, however long
    assert small.title == "Small"
