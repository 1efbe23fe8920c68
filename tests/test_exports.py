"""Exports: deterministic bytes across processes, sorted N-Triples, round-trips, named graphs, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from opsi_kg.export import atomic_write, write_exports
from opsi_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH

DATA = Path(__file__).parent / "data" / "queries" / "cases"
FILES = ("opsi-kg.ttl", "opsi-kg.nt", "opsi-kg.jsonld", "opsi-kg.trig", "validation-report.md", "validation-report.ttl")


def _build_in_subprocess(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    cmd = [sys.executable, "-m", "opsi_kg", "build", "--data", str(DATA), "--out", str(out), "-q"]
    subprocess.run(cmd, check=True, env=env, capture_output=True)


def test_two_builds_are_byte_identical(tmp_path):
    _build_in_subprocess(tmp_path / "a", "1")
    _build_in_subprocess(tmp_path / "b", "2")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.fixture(scope="module")
def exported(tmp_path_factory, default_build):
    out = tmp_path_factory.mktemp("dist")
    write_exports(default_build, out)
    return out


def test_ntriples_are_sorted_and_complete(exported, default_build):
    lines = (exported / "opsi-kg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert isomorphic(Graph().parse(exported / "opsi-kg.nt", format="nt"), default_build.asserted)


@pytest.mark.parametrize("name, fmt", [("opsi-kg.ttl", "turtle"), ("opsi-kg.jsonld", "json-ld")])
def test_dumps_round_trip_to_the_asserted_graph(exported, default_build, name, fmt):
    assert isomorphic(Graph().parse(exported / name, format=fmt), default_build.asserted)


def test_turtle_is_prefixed(exported):
    text = (exported / "opsi-kg.ttl").read_text(encoding="utf-8")
    assert "@prefix opsi: <https://w3id.org/opsi-kg/ontology#> ." in text
    assert "case:bifidex a opsi:Case" in text


def test_trig_has_the_three_named_graphs(exported, default_build):
    ds = Dataset()
    ds.parse(exported / "opsi-kg.trig", format="trig")
    graphs = {g.identifier: g for g in ds.graphs()}
    assert isomorphic(graphs[ASSERTED_GRAPH], default_build.asserted)
    assert isomorphic(graphs[INFERRED_GRAPH], default_build.inferred)
    assert len(graphs[VOCAB_GRAPH]) == len(default_build.vocabularies)


def test_inferred_graph_has_no_closure_noise(default_build):
    from opsi_kg.namespaces import OPSI

    for s, p, o in default_build.inferred:
        assert not str(s).startswith(str(OPSI)), (s, p, o)
        assert str(p) != "http://www.w3.org/2002/07/owl#sameAs"
        assert str(o) not in ("http://www.w3.org/2002/07/owl#Thing", "http://www.w3.org/2000/01/rdf-schema#Resource")


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "opsi-kg.ttl"
    atomic_write(target, "old")

    class Boom(str):
        def encode(self, *a, **k):
            raise RuntimeError("crash while writing")

    with pytest.raises(RuntimeError):
        atomic_write(target, Boom("new"))
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["opsi-kg.ttl"]


def test_reference_engines_give_byte_identical_exports(tmp_path, default_build):
    """owlrl + pyshacl (the reference) and the compiled engines (the default) agree to the byte."""
    from opsi_kg import build

    reference = build(reasoner="owlrl", validator="pyshacl")
    assert default_build.engines == {"reason": "rules", "validate": "fast"}
    assert reference.engines == {"reason": "owlrl", "validate": "pyshacl"}
    write_exports(default_build, tmp_path / "fast")
    write_exports(reference, tmp_path / "reference")
    for name in FILES:
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name


@pytest.fixture
def advance_always(monkeypatch):
    """AdvanceDumps forks its child even for a small build."""
    from opsi_kg.export import AdvanceDumps

    monkeypatch.setattr(AdvanceDumps, "MIN_TRIPLES", 0)
    return AdvanceDumps


def test_dumps_written_beside_the_build_are_the_same_bytes(tmp_path, advance_always, default_build):
    from opsi_kg.pipeline import build

    advance = advance_always(tmp_path / "advance", default_build.base)
    result = build(on_asserted=advance.start)
    assert advance.pid is not None  # a child is writing the dumps
    written = write_exports(result, tmp_path / "advance", ["ttl", "nt", "jsonld"], advance=advance)
    assert [p.name for p in written] == ["opsi-kg.ttl", "opsi-kg.nt", "opsi-kg.jsonld"]
    write_exports(default_build, tmp_path / "plain", ["ttl", "nt", "jsonld"])
    for name in ("opsi-kg.ttl", "opsi-kg.nt", "opsi-kg.jsonld"):
        assert (tmp_path / "advance" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "advance").iterdir()) == ["opsi-kg.jsonld", "opsi-kg.nt", "opsi-kg.ttl"]


def test_dumps_of_triples_that_quarantine_changed_are_not_used(tmp_path, advance_always, write_records):
    """Two records disagree about an award's year (a violation): the build settles its asserted
    triples twice, and only the dumps of the second set may be published."""
    from opsi_kg.pipeline import build

    rec = {"title": "T", "countries": ["France"], "sources": ["https://example.org/x"], "themes": ["open-data"]}
    data = write_records(
        {
            "a.yaml": {**rec, "id": "a", "awards": [{"name": "Prize", "year": 2019}]},
            "b.yaml": {**rec, "id": "b", "awards": [{"name": "Prize", "year": 2020}]},
            "c.yaml": {**rec, "id": "c"},
        }
    )
    advance = advance_always(tmp_path / "out", "https://w3id.org/opsi-kg/id/")
    starts = []
    result = build(data, on_asserted=lambda asserted: starts.append(len(asserted)) or advance.start(asserted))
    assert len(starts) == 2 and result.report.built == 1
    write_exports(result, tmp_path / "out", ["ttl", "nt"], advance=advance)
    write_exports(build(data), tmp_path / "plain", ["ttl", "nt"])
    for name in ("opsi-kg.ttl", "opsi-kg.nt"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_a_failed_child_leaves_the_dumps_to_write_exports(tmp_path, advance_always, default_build, monkeypatch):
    import opsi_kg.export as export

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "turtle_and_ntriples_chunks", broken)  # in the child only: forked after this
    advance = advance_always(tmp_path / "out", default_build.base)
    advance.start(sorted(default_build.asserted_triples))
    monkeypatch.undo()
    assert advance.finish(default_build, ["ttl", "nt"]) == []
    assert not any((tmp_path / "out").iterdir())  # nothing half-written is left
