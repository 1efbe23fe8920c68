"""Bad input never crashes the build and never loses data: each bad record gets a clear message
naming its file and field, the other records still build, and read = built + quarantined."""

from __future__ import annotations

import io

import pytest

from opsi_kg import build
from opsi_kg.cli import main

GOOD = {
    "title": "A good case",
    "summary": "Fine.",
    "countries": ["France"],
    "year": 2020,
    "level_of_government": "national",
    "actors": [{"name": "Ministry of Examples", "role": "lead", "type": "government"}],
    "themes": ["open-data"],
    "sources": ["https://example.org/good"],
}

BAD = {
    "malformed": ("broken.yaml", "title: [unclosed\nsummary: x\n", "", "malformed YAML (line"),
    "missing-title": ("untitled.yaml", {"id": "untitled", "summary": "No title here."}, "title", "no title"),
    "unknown-country": ("frnace.yaml", {"title": "T", "countries": ["Frnace"]}, "countries", "did you mean France?"),
    "bad-year": ("old.yaml", {"title": "T", "year": 1850}, "year", "outside 1900.."),
    "future-year": ("future.yaml", {"title": "T", "year": 2999}, "year", "outside 1900.."),
    "not-a-year": ("word.yaml", {"title": "T", "year": "sometime"}, "year", "not a year"),
    "duplicate-id": (
        "zz-duplicate.yaml",
        {"id": "a-good-case", "title": "Another"},
        "id",
        "duplicate case id 'a-good-case': already used by cases/good.yaml",
    ),
    "actor-without-name": (
        "nameless.yaml",
        {"title": "T", "actors": [{"role": "lead"}]},
        "actors[1].name",
        "an actor needs a name",
    ),
    "bad-role": (
        "role.yaml",
        {"title": "T", "actors": [{"name": "X", "role": "leader"}]},
        "actors[1].role",
        "unknown role 'leader'",
    ),
    "not-a-mapping": ("list.yaml", "- just\n- a list\n", "", "expected a mapping"),
    "bad-sdg": ("sdg.yaml", {"title": "T", "sdgs": [18]}, "sdgs", "1 to 17"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_record_is_quarantined_with_a_clear_message(kind, write_records):
    name, content, fld, message = BAD[kind]
    folder = write_records({"good.yaml": GOOD, name: content})
    result = build(folder)
    report = result.report
    assert report.read == 2
    assert report.built == 1 and report.quarantined == [f"cases/{name}"]
    assert report.read == report.built + len(report.quarantined)
    errors = [r for r in report.iter_results() if r.severity.name == "ERROR"]
    assert errors and all(r.source == f"cases/{name}" for r in errors)
    assert any(r.field == fld and message in r.message for r in errors), [r.line() for r in errors]
    assert any(str(o) == "A good case" for o in result.asserted.objects())


def test_unknown_theme_is_a_warning_and_kept_as_keyword(write_records):
    folder = write_records({"good.yaml": {**GOOD, "themes": ["open-data", "quantum-governance"]}})
    result = build(folder)
    assert result.report.built == 1 and not result.report.quarantined
    warnings = [r for r in result.report.iter_results() if r.severity.name == "WARNING" and r.field == "themes"]
    assert warnings and "unknown theme 'quantum-governance'" in warnings[0].message
    assert any(str(o) == "quantum-governance" for o in result.asserted.objects())


def test_every_bad_record_at_once(write_records):
    records = {"good.yaml": GOOD}
    records.update({name: content for name, content, *_ in BAD.values()})
    folder = write_records(records)
    report = build(folder).report
    assert report.read == len(records)
    assert report.built == 1
    assert len(report.quarantined) == len(BAD)


def test_cli_build_lists_quarantined_records_and_exits_1(write_records, tmp_path):
    name, content, _, message = BAD["unknown-country"]
    folder = write_records({"good.yaml": GOOD, name: content})
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "--data", str(folder), "--out", str(tmp_path / "dist"), "-q"], out, err)
    assert code == 1
    assert "read 2 records: 1 built, 1 quarantined" in out.getvalue()
    assert f"[ERROR] cases/{name}: countries: unknown country 'Frnace': did you mean France?" in err.getvalue()
    assert (tmp_path / "dist" / "opsi-kg.ttl").exists()


def test_strict_writes_nothing(write_records, tmp_path):
    folder = write_records({"good.yaml": GOOD, "frnace.yaml": BAD["unknown-country"][1]})
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "--data", str(folder), "--out", str(tmp_path / "dist"), "--strict", "-q"], out, err)
    assert code == 1
    assert not (tmp_path / "dist").exists()
    assert "--strict" in err.getvalue()


def test_missing_data_path_is_a_usage_error(tmp_path):
    err = io.StringIO()
    assert main(["build", "--data", str(tmp_path / "nope"), "-q"], io.StringIO(), err) == 2
    assert "no such file or folder" in err.getvalue()
