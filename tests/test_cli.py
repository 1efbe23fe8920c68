"""The CLI tested in-process through main(argv, out, err) -> exit code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph

from opsi_kg.cli import main

DATA = str(Path(__file__).parent / "data" / "queries" / "cases")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_help_lists_every_verb():
    parser_out = io.StringIO()
    assert main([], parser_out, io.StringIO()) == 2
    for verb in ("build", "validate", "query", "sparql", "export", "stats"):
        assert verb in parser_out.getvalue()


def test_build_writes_every_export(tmp_path):
    code, out, err = run("build", "--data", DATA, "--out", str(tmp_path), "-q")
    assert code == 0, err
    assert "read 5 records: 5 built, 0 quarantined" in out
    for name in (
        "opsi-kg.ttl",
        "opsi-kg.nt",
        "opsi-kg.jsonld",
        "opsi-kg.trig",
        "validation-report.md",
        "validation-report.ttl",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    Graph().parse(tmp_path / "opsi-kg.ttl")


def test_build_shows_progress_on_stderr(tmp_path):
    _, _, err = run("build", "--data", DATA, "--out", str(tmp_path))
    assert "[INFO] loading records" in err and "[INFO] reasoning" in err and "[INFO] validating" in err


@pytest.mark.parametrize(
    "fmt, marker", [("text", "cases/epsilon.yaml"), ("md", "# Validation report"), ("ttl", "sh:ValidationReport")]
)
def test_validate_formats(fmt, marker):
    code, out, _ = run("validate", "--data", DATA, "--format", fmt, "-q")
    assert code == 0
    assert marker in out


def test_query_list_and_show():
    code, out, _ = run("query", "list")
    assert code == 0 and "participation-countries" in out and "region=western-balkans" in out
    code, out, _ = run("query", "show", "cases-in-region")
    assert code == 0 and out.startswith("# title:") and "SELECT" in out


def test_unknown_query_suggests_a_name():
    code, _, err = run("query", "show", "participation-country")
    assert code == 2 and "did you mean participation-countries?" in err


@pytest.mark.parametrize("fmt", ["text", "csv", "json", "md"])
def test_query_run_formats(fmt):
    code, out, err = run("query", "run", "participation-countries", "--data", DATA, "--format", fmt, "-q")
    assert code == 0, err
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["countryLabel"], r["cases"]) for r in rows] == [("France", "2"), ("Spain", "1")]
    elif fmt == "json":
        doc = json.loads(out)
        assert doc["head"]["vars"] == ["country", "countryLabel", "cases"]
        assert doc["results"]["bindings"][0]["countryLabel"] == {"type": "literal", "value": "France", "xml:lang": "en"}
    elif fmt == "md":
        assert out.splitlines()[0] == "| country | countryLabel | cases |"
    else:
        assert "France" in out and "(2 rows)" in out


def test_query_run_with_a_parameter():
    code, out, _ = run(
        "query", "run", "cases-in-region", "--param", "region=european-union", "--data", DATA, "--format", "csv", "-q"
    )
    assert code == 0
    assert [r["case"] for r in csv.DictReader(io.StringIO(out))] == [
        "https://w3id.org/opsi-kg/id/case/alpha",
        "https://w3id.org/opsi-kg/id/case/gamma",
    ]


def test_query_run_bad_parameter_is_a_usage_error():
    code, _, err = run("query", "run", "cases-in-region", "--param", "regoin=x", "--data", DATA, "-q")
    assert code == 2 and "regoin" in err


def test_sparql_inline_and_from_file(tmp_path):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?c a opsi:Case }"
    code, out, _ = run("sparql", q, "--data", DATA, "--format", "csv", "-q")
    assert code == 0 and out.splitlines() == ["n", "5"]
    path = tmp_path / "q.rq"
    path.write_text(q, encoding="utf-8")
    code, out2, _ = run("sparql", f"@{path}", "--data", DATA, "--format", "csv", "-q", "--store", "rdflib")
    assert code == 0 and out2 == out


def test_sparql_syntax_error_exits_2():
    code, _, err = run("sparql", "SELECT WHERE {", "--data", DATA, "-q")
    assert code == 2 and err.startswith("[ERROR] query:")


def test_stats():
    code, out, _ = run("stats", "--data", DATA, "--format", "json", "-q")
    assert code == 0
    values = {b["measure"]["value"]: int(b["value"]["value"]) for b in json.loads(out)["results"]["bindings"]}
    assert values["cases"] == 5 and values["records read"] == 5 and values["actors"] == 5


def test_export_chosen_formats(tmp_path):
    code, _, _ = run("export", "--data", DATA, "--out", str(tmp_path), "--format", "nt", "--format", "ttl", "-q")
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opsi-kg.nt", "opsi-kg.ttl"]


def test_export_offers_every_writer():
    from opsi_kg.cli import EXPORT_FORMATS
    from opsi_kg.export import WRITERS

    assert EXPORT_FORMATS == list(WRITERS)


def test_export_writes_only_the_chosen_formats(tmp_path):
    code, _, err = run(
        "export", "--data", DATA, "--out", str(tmp_path), "--format", "quality-md", "--format", "nt", "-q"
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data-quality.md", "opsi-kg.nt"]


def test_build_with_the_dumps_beside_it_writes_the_same_files(tmp_path, monkeypatch):
    from opsi_kg.export import AdvanceDumps

    code, _, err = run("build", "--data", DATA, "--out", str(tmp_path / "plain"), "--no-cache", "-q")
    assert code == 0, err
    monkeypatch.setattr(AdvanceDumps, "MIN_TRIPLES", 0)  # a child even for five records
    code, _, err = run("build", "--data", DATA, "--out", str(tmp_path / "beside"), "--no-cache", "-q")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "plain").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "beside").iterdir())  # no staging folder left
    for name in names:
        assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_strict_build_with_errors_leaves_no_dumps_from_the_child(tmp_path, monkeypatch, write_records):
    from opsi_kg.export import AdvanceDumps

    monkeypatch.setattr(AdvanceDumps, "MIN_TRIPLES", 0)
    rec = {"title": "T", "countries": ["France"], "sources": ["https://example.org/x"], "themes": ["open-data"]}
    data = write_records({"a.yaml": {**rec, "id": "a"}, "b.yaml": {**rec, "id": "b", "countries": ["Narnia"]}})
    out = tmp_path / "out"
    code, _, err = run("build", "--data", str(data), "--out", str(out), "--strict", "--no-cache", "-q")
    assert code == 1 and "nothing written" in err
    assert not out.exists() or not any(out.iterdir())
