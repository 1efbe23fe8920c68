"""Importing case spreadsheets: the normalisation rules on real-world spellings, provenance in the
graph, `opsi-kg import` (never overwriting a different record), `build --data FILE.csv` and the
data-quality report."""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import PROV, RDF

from opsi_kg.cli import main
from opsi_kg.importer import import_table, load_table
from opsi_kg.mapping import map_records
from opsi_kg.namespaces import COUNTRY, OPSI, THEME, Iris
from opsi_kg.quality import quality_html, quality_markdown, quality_report
from opsi_kg.report import Severity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example-cases.csv"
IRIS = Iris()


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def load(tmp_path, rows, **kw):
    records, report = load_table(write_csv(tmp_path / "cases.csv", rows, **kw))
    return records, report


def results(report, severity=None, source=None):
    return [
        r
        for r in report.results
        if (severity is None or r.severity is severity) and (source is None or r.source == source)
    ]


def without_provenance(graph: Graph) -> Graph:
    """The graph less its Link nodes and source locations (they name the file each came from)."""
    links = set(graph.subjects(RDF.type, OPSI.Link))
    out = Graph()
    for s, p, o in graph:
        if s not in links and p != OPSI.sourceLocation:
            out.add((s, p, o))
    return out


def assert_isomorphic(a: Graph, b: Graph) -> None:
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail(
            "graphs differ\nonly in the first:\n"
            + only_a.serialize(format="nt")
            + "\nonly in the second:\n"
            + only_b.serialize(format="nt")
        )


# ---------------------------------------------------------------- countries


@pytest.mark.parametrize(
    "written, code",
    [
        ("Korea", "KOR"),
        ("Republic of Korea", "KOR"),
        ("Korea, Rep.", "KOR"),
        ("South Korea", "KOR"),
        ("KR", "KOR"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("TURKIYE", "TUR"),
        ("UK", "GBR"),
        ("U.K.", "GBR"),
        ("Great Britain", "GBR"),
        ("gbr", "GBR"),
        ("United States of America", "USA"),
        ("Viet Nam", "VNM"),
        ("Côte d'Ivoire", "CIV"),
        ("Congo, Dem. Rep.", "COD"),
        ("Congo, Rep.", "COG"),
        ("Bosnia & Herzegovina", "BIH"),
        ("Netherlands (Kingdom of the)", "NLD"),
        ("St. Lucia", "LCA"),
        ("Lao PDR", "LAO"),
        ("Deutschland", "DEU"),
        ("Kosovo", "1A0"),
    ],
)
def test_country_spellings_resolve_to_the_eu_authority_iri(tmp_path, written, code):
    (rec,), report = load(tmp_path, [{"title": "T", "countries": written}])
    assert rec.countries == [COUNTRY[code]]
    assert not results(report, Severity.ERROR)


def test_country_decision_is_reported_with_its_name_and_code(tmp_path):
    _, report = load(tmp_path, [{"title": "T", "countries": "Korea; Turkey; UK"}])
    messages = {r.message for r in results(report, Severity.INFO)}
    assert {"'Korea' -> South Korea (KOR)", "'Turkey' -> Türkiye (TUR)", "'UK' -> United Kingdom (GBR)"} <= messages


def test_unresolvable_country_is_an_error_with_suggestions(tmp_path):
    records, report = load(tmp_path, [{"title": "T", "countries": "Frnace"}, {"title": "U", "countries": "Swedn"}])
    assert records == []
    (first,) = results(report, Severity.ERROR, "cases.csv:2")
    assert first.field == "countries" and first.message == "unknown country 'Frnace': did you mean France?"
    assert "did you mean Sweden" in results(report, Severity.ERROR, "cases.csv:3")[0].message


def test_city_without_country_stays_a_city(tmp_path):
    (rec,), report = load(tmp_path, [{"title": "T", "city": "Lisbon"}])
    assert rec.city == "Lisbon" and rec.countries == []
    graph = map_records([rec])
    assert (IRIS.case(rec.slug), OPSI.city, Literal("Lisbon")) in graph
    assert not list(graph.objects(IRIS.case(rec.slug), OPSI.country))


def test_commas_between_countries_are_read_as_separate_countries_with_a_warning(tmp_path):
    (rec,), report = load(tmp_path, [{"title": "T", "countries": "France, Spain"}])
    assert rec.countries == [COUNTRY.FRA, COUNTRY.ESP]
    (w,) = results(report, Severity.WARNING)
    assert w.field == "countries" and "separate values with ';'" in w.message


def test_a_region_in_the_countries_column_becomes_the_region(tmp_path):
    (rec,), report = load(tmp_path, [{"title": "T", "countries": "EU"}])
    assert rec.countries == [] and [str(r).rsplit("/", 1)[-1] for r in rec.regions] == ["european-union"]
    assert "is a region, not a country" in results(report, Severity.WARNING)[0].message


# ---------------------------------------------------------------- themes


@pytest.mark.parametrize(
    "written, slug",
    [
        ("open-data", "open-data"),  # notation
        ("Open Data", "open-data"),  # label, case
        ("open_data", "open-data"),  # punctuation
        ("OPEN DATA!", "open-data"),
        ("Citizen Engagement", "citizen-participation"),  # altLabel (an OPSI tag)
        ("civic-engagement", "citizen-participation"),
        ("Digital platform", "digital-platforms"),  # singular of the label
        ("Skills & competencies", "skills-and-capacity-building"),  # & read as "and"
    ],
)
def test_themes_resolve_through_labels_altlabels_and_notations(tmp_path, written, slug):
    (rec,), _ = load(tmp_path, [{"title": "T", "themes": written}])
    assert rec.themes == [THEME[slug]] and rec.keywords == []


def test_unknown_tag_is_kept_as_a_keyword_with_a_warning(tmp_path):
    (rec,), report = load(tmp_path, [{"title": "T", "themes": "open-data; zebra-crossings"}])
    assert rec.themes == [THEME["open-data"]] and rec.keywords == ["zebra-crossings"]
    (w,) = results(report, Severity.WARNING)
    assert w.field == "themes" and w.message.startswith("unknown theme 'zebra-crossings'")
    assert (IRIS.case(rec.slug), OPSI.keyword, Literal("zebra-crossings")) in map_records([rec])


# ---------------------------------------------------------------- organisations


def test_one_organisation_written_differently_becomes_one_actor(tmp_path):
    rows = [
        {"title": "A", "lead_actors": "ONS"},
        {"title": "B", "lead_actors": "Office for National Statistics (ONS)"},
        {"title": "C", "partner_actors": "office for national statistics"},
        {"title": "D", "funder_actors": "The Office for National Statistics."},
    ]
    records, report = load(tmp_path, rows)
    slugs = {a.slug for rec in records for a in rec.actors}
    assert slugs == {"office-for-national-statistics"}
    actor = IRIS.actor("office-for-national-statistics")
    graph = map_records(records)
    assert set(graph.objects(actor, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == {
        Literal("Office for National Statistics", lang="en")
    }
    assert (actor, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), Literal("ONS", lang="en")) in graph
    merges = {r.source: r.message for r in results(report, Severity.INFO) if "merged with actor" in r.message}
    assert merges == {
        "cases.csv:2": "'ONS' merged with actor 'Office for National Statistics (ONS)' "
        "(office-for-national-statistics)",
        "cases.csv:4": "'office for national statistics' merged with actor 'Office for National Statistics (ONS)' "
        "(office-for-national-statistics)",
        "cases.csv:5": "'The Office for National Statistics.' merged with actor 'Office for National Statistics (ONS)' "
        "(office-for-national-statistics)",
    }
    q = quality_report(report, records, title="cases.csv")
    ((iri, name, spellings),) = q.merges
    assert iri == str(actor) and name == "Office for National Statistics (ONS)"
    assert [s for s, _ in spellings] == [
        "ONS",
        "Office for National Statistics (ONS)",
        "office for national statistics",
        "The Office for National Statistics.",
    ]


def test_an_acronym_two_organisations_carry_is_not_merged(tmp_path):
    rows = [
        {"title": "A", "lead_actors": "Office for National Statistics (ONS)"},
        {"title": "B", "lead_actors": "Office National de la Statistique (ONS)"},
        {"title": "C", "lead_actors": "ONS"},
    ]
    records, report = load(tmp_path, rows)
    assert [rec.actors[0].slug for rec in records] == [
        "office-for-national-statistics",
        "office-national-de-la-statistique",
        "ons",
    ]
    assert "acronym of more than one organisation" in results(report, Severity.WARNING, "cases.csv:4")[0].message


# ---------------------------------------------------------------- years


@pytest.mark.parametrize("written", ["2019", "2019-07-01", "July 2019", "Jul 2019", "2019-07"])
def test_year_formats(tmp_path, written):
    (rec,), _ = load(tmp_path, [{"title": "T", "year": written}])
    assert rec.year == 2019


@pytest.mark.parametrize("written", ["2019/20", "2019-2021", "FY2019", "sometime in 2019", "19", "2019-13-01"])
def test_anything_else_is_an_error_on_that_row(tmp_path, written):
    records, report = load(tmp_path, [{"title": "T", "year": written}, {"title": "U", "year": "2020"}])
    assert [r.title for r in records] == ["U"]
    assert report.quarantined == ["cases.csv:2"]
    (e,) = results(report, Severity.ERROR)
    assert (e.source, e.field, e.value) == ("cases.csv:2", "year", written)


# ---------------------------------------------------------------- provenance


def test_links_in_the_graph_name_the_row_and_the_written_value(tmp_path):
    rows = [
        {"title": "Skip me", "year": "no"},
        {
            "title": "T",
            "countries": "Korea",
            "themes": "Citizen Engagement",
            "lead_actors": "ONS; Office for National Statistics (ONS)",
        },
    ]
    records, _ = load(tmp_path, rows)
    graph = map_records(records)
    case = IRIS.case("t")
    record = next(graph.objects(case, PROV.wasDerivedFrom))
    assert graph.value(record, OPSI.sourceLocation) == Literal("cases.csv:3")
    decisions = {
        (str(graph.value(link, OPSI.field)), str(graph.value(link, OPSI.rawValue)), graph.value(link, OPSI.linkedTo))
        for link in graph.subjects(RDF.type, OPSI.Link)
        if (link, PROV.wasDerivedFrom, record) in graph
    }
    actor = IRIS.actor("office-for-national-statistics")
    assert decisions == {
        ("countries", "Korea", COUNTRY.KOR),
        ("themes", "Citizen Engagement", THEME["citizen-participation"]),
        ("lead_actors", "ONS", actor),
        ("lead_actors", "Office for National Statistics (ONS)", actor),
    }


# ---------------------------------------------------------------- encodings, delimiters, JSON

ROWS = [
    {
        "id": "civic-lab",
        "title": "Laboratório Cívico",
        "countries": "Türkiye; Korea",
        "year": "July 2019",
        "lead_actors": "Oficina de Innovación (OI)",
        "themes": "Open Data; co-création",
        "summary": "Résumé – “quoted”",
    },
    {"title": "Second", "countries": "UK", "partner_actors": "OI", "sdgs": "SDG 16", "awards": "Prize (2020)"},
]


@pytest.mark.parametrize(
    "encoding, delimiter", [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ";"), ("latin-1", ","), ("utf-8-sig", ";")]
)
def test_encodings_and_delimiters_give_the_same_graph(tmp_path, encoding, delimiter):
    rows = ROWS
    if encoding == "latin-1":  # latin-1 has no typographic dashes and quotes
        rows = [{k: v.replace("–", "-").replace("“", '"').replace("”", '"') for k, v in row.items()} for row in ROWS]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    expected, _ = load_table(write_csv(tmp_path / "a" / "cases.csv", rows))
    got, report = load_table(write_csv(tmp_path / "b" / "cases.csv", rows, encoding=encoding, delimiter=delimiter))
    assert not results(report, Severity.ERROR)
    assert_isomorphic(map_records(got), map_records(expected))


def test_json_gives_the_same_cases_as_csv(tmp_path):
    csv_records, _ = load_table(write_csv(tmp_path / "cases.csv", ROWS))
    items = []
    for row in ROWS:
        item = dict(row)
        for fld in ("countries", "themes", "lead_actors", "partner_actors", "sdgs", "awards"):
            if fld in item:
                item[fld] = [v.strip() for v in item[fld].split(";")]
        items.append(item)
    (tmp_path / "cases.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    json_records, report = load_table(tmp_path / "cases.json")
    assert [r.source for r in json_records] == ["cases.json#/0", "cases.json#/1"]
    assert_isomorphic(without_provenance(map_records(json_records)), without_provenance(map_records(csv_records)))


# ---------------------------------------------------------------- opsi-kg import


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_import_writes_one_record_per_row_and_reports(tmp_path):
    table = write_csv(tmp_path / "cases.csv", ROWS + [{"title": "Bad", "year": "2019/20"}])
    code, out, err = run(
        "import", str(table), "--out", str(tmp_path / "cases"), "--report", str(tmp_path / "dist"), "-q"
    )
    assert code == 1  # one row has an error
    assert "read 3 rows: 2 built, 1 quarantined" in out and "2 written, 0 unchanged" in out
    assert "[ERROR] cases.csv:4: year: not a year" in err
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == ["civic-lab.yaml", "second.yaml"]
    doc = yaml.safe_load((tmp_path / "cases" / "civic-lab.yaml").read_text(encoding="utf-8"))
    assert doc["countries"] == ["Türkiye", "South Korea"]
    assert doc["year"] == 2019
    assert doc["actors"] == [{"name": "Oficina de Innovación (OI)", "role": "lead"}]
    second = yaml.safe_load((tmp_path / "cases" / "second.yaml").read_text(encoding="utf-8"))
    assert second["actors"] == [{"name": "Oficina de Innovación (OI)", "role": "partner"}]  # the merged name
    assert second["awards"] == [{"name": "Prize", "year": 2020}] and second["sdgs"] == [16]
    report = (tmp_path / "dist" / "data-quality.md").read_text(encoding="utf-8")
    assert "cases.csv:4" in report and "not a year" in report
    assert (tmp_path / "dist" / "data-quality.html").exists()


def test_import_is_idempotent_and_never_silently_overwrites(tmp_path):
    table = write_csv(tmp_path / "cases.csv", ROWS)
    folder = tmp_path / "cases"
    args = ("import", str(table), "--out", str(folder), "--report", str(tmp_path / "dist"), "-q")
    assert run(*args)[0] == 0
    code, out, _ = run(*args)
    assert code == 0 and "0 written, 2 unchanged" in out
    edited = folder / "second.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("title: Second", "title: Second (edited)"), encoding="utf-8"
    )
    before = edited.read_bytes()
    code, out, err = run(*args)
    assert code == 1 and "1 not written" in out
    assert f"[ERROR] cases.csv:3: id: {edited} already holds a different record" in err
    assert edited.read_bytes() == before
    code, out, _ = run(*args, "--force")
    assert code == 0 and "1 replaced" in out
    assert yaml.safe_load(edited.read_text(encoding="utf-8"))["title"] == "Second"


def test_dry_run_writes_no_records(tmp_path):
    table = write_csv(tmp_path / "cases.csv", ROWS)
    code, out, _ = run(
        "import", str(table), "--out", str(tmp_path / "cases"), "--report", str(tmp_path / "d"), "--dry-run"
    )
    assert code == 0 and "dry run" in out and not (tmp_path / "cases").exists()
    assert (tmp_path / "d" / "data-quality.md").exists()


@pytest.mark.parametrize("name", ["cases.yaml", "missing.csv"])
def test_import_needs_an_existing_csv_or_json_file(tmp_path, name):
    if name.endswith(".yaml"):
        (tmp_path / name).write_text("title: x\n", encoding="utf-8")
    code, _, err = run("import", str(tmp_path / name), "--out", str(tmp_path / "c"), "--report", str(tmp_path / "d"))
    assert code == 2 and "[ERROR] input:" in err


def test_imported_records_build_the_same_graph_as_the_table(tmp_path):
    table = write_csv(tmp_path / "cases.csv", ROWS)
    result = import_table(table, tmp_path / "cases")
    from opsi_kg.normalise import normalise_all
    from opsi_kg.records import load_records

    again, _, quarantined, _ = normalise_all(load_records(tmp_path / "cases"))
    assert not quarantined
    assert_isomorphic(without_provenance(map_records(again)), without_provenance(map_records(result.records)))


def test_example_file_imports_into_records_that_build_the_same_cases(tmp_path):
    from opsi_kg.normalise import normalise_all
    from opsi_kg.records import load_records

    result = import_table(EXAMPLE, tmp_path / "cases")
    assert result.report.read == 16 and len(result.written) == 16 and not result.report.quarantined
    again, results_again, quarantined, _ = normalise_all(load_records(tmp_path / "cases"))
    assert not quarantined
    assert_isomorphic(without_provenance(map_records(again)), without_provenance(map_records(result.records)))


# ---------------------------------------------------------------- build --data FILE.csv and the report


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    code, stdout, stderr = run("build", "--data", str(EXAMPLE), "--out", str(out), "-q")
    return code, stdout, stderr, out


def test_build_from_the_example_csv(example_build):
    code, stdout, stderr, out = example_build
    assert code == 0, stderr
    assert "read 16 records: 16 built, 0 quarantined" in stdout
    assert f"data-quality report: {out / 'data-quality.html'}" in stdout
    graph = Graph().parse(out / "opsi-kg.ttl")
    assert (IRIS.case("bifidex"), OPSI.country, COUNTRY.BIH) in graph
    assert (IRIS.case("open-camera-cosenza"), OPSI.city, Literal("Cosenza")) in graph
    assert not list(graph.objects(IRIS.case("open-camera-cosenza"), OPSI.country))


def test_quality_report_lists_errors_warnings_and_decisions_per_row(example_build):
    *_, out = example_build
    md = (out / "data-quality.md").read_text(encoding="utf-8")
    assert md.startswith("# Data-quality report: example-cases.csv")
    assert "read 16 rows: 16 built, 0 quarantined" in md
    assert "### example-cases.csv:1: header" in md and "unknown column 'notes'" in md
    assert "| countries | Korea | South Korea (KOR) | rewritten |" in md
    assert "| countries | Turkey | Türkiye (TUR) | rewritten |" in md
    assert "| countries | UK | United Kingdom (GBR) | rewritten |" in md
    merged = "| funder_actors | Australian Government | Australian government (actor/australian-government) |"
    assert merged in md
    assert "## Organisations merged" in md
    page = (out / "data-quality.html").read_text(encoding="utf-8")
    assert "<td>Korea</td><td>South Korea (KOR)</td>" in page


class _Checker(html.parser.HTMLParser):
    VOID = {"meta", "br", "link"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_quality_report_escapes_what_the_input_says(tmp_path):
    nasty = '<script>alert("x")</script> | *bold* `code` \x07'
    records, report = load(
        tmp_path,
        [
            {"title": nasty, "countries": "<b>France</b>", "themes": nasty},
            {"title": "ok", "year": "<img src=x onerror=alert(1)>"},
        ],
    )
    q = quality_report(report, records, title="<cases>.csv")
    page = quality_html(q)
    assert "<script>" not in page and "<img" not in page and "<b>France" not in page
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    assert '<script>alert("x")</script>' in "".join(checker.text)  # shown as text
    md = quality_markdown(q)
    assert "<script>" not in md and "\x07" not in md
    for table in re.findall(r"(?:^\|.*\n)+", md, flags=re.MULTILINE):  # every table keeps its columns
        pipes = {len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}
        assert len(pipes) == 1, table


def test_build_from_a_csv_with_bad_rows_quarantines_and_reports_them(tmp_path):
    rows = [
        {"title": "Good", "countries": "Korea", "lead_actors": "ONS", "themes": "open-data", "year": "2019"},
        {"title": "Bad year", "countries": "UK", "year": "2019/20"},
        {"title": "Bad country", "countries": "Frnace", "partner_actors": "Office for National Statistics (ONS)"},
    ]
    table = write_csv(tmp_path / "cases.csv", rows)
    code, out, err = run("build", "--data", str(table), "--out", str(tmp_path / "dist"), "-q")
    assert code == 1
    assert "read 3 records: 1 built, 2 quarantined" in out
    assert "quarantined: cases.csv:3, cases.csv:4" in out
    assert "[ERROR] cases.csv:4: countries: unknown country 'Frnace': did you mean France?" in err
    md = (tmp_path / "dist" / "data-quality.md").read_text(encoding="utf-8")
    assert "## Quarantined rows" in md
    assert "| cases.csv:3 | year | not a year: write 2019, 2019-07-01 or July 2019 |" in md
    assert "### cases.csv:4: quarantined" in md
    assert "| countries | unknown country 'Frnace': did you mean France? | cases.csv:4 |" in md
    graph = Graph().parse(tmp_path / "dist" / "opsi-kg.ttl")
    assert {str(o) for o in graph.objects(None, OPSI.sourceLocation)} == {"cases.csv:2"}
