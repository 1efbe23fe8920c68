"""The release folder (opsi_kg.publish.release) and `opsi-kg release`: files, checksums, round trips,
reproducibility, exit codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic, to_isomorphic

from opsi_kg.cli import main
from opsi_kg.export import WRITERS
from opsi_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH
from opsi_kg.publish.release import checksums_text, file_info
from opsi_kg.resources import home

RELEASE_DATE = dt.date(2025, 1, 1)
# every export (dumps, reports) plus the catalogue and the checksums
TOP_FILES = {name for name, _writer in WRITERS.values()} | {"catalog.ttl", "SHA256SUMS"}


def test_release_folder_has_the_dumps_reports_catalogue_checksums_and_site(release_dir):
    names = {p.name for p in release_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert names == TOP_FILES
    assert (release_dir / "site" / "index.html").is_file()


def test_sha256sums_lists_every_file_with_its_digest(release_dir):
    lines = (release_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == TOP_FILES - {"SHA256SUMS"}
    assert list(listed) == sorted(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name, fmt", [("opsi-kg.ttl", "turtle"), ("opsi-kg.jsonld", "json-ld"), ("opsi-kg.nt", "nt")])
def test_dumps_round_trip_to_the_asserted_graph(release_dir, default_build, name, fmt):
    parsed = Graph().parse(release_dir / name, format=fmt)
    assert len(parsed) == len(default_build.asserted)
    assert isomorphic(parsed, default_build.asserted)


def test_trig_dump_round_trips_to_the_three_named_graphs(release_dir, default_build):
    ds = Dataset()
    ds.parse(release_dir / "opsi-kg.trig", format="trig")
    for name, graph in (
        (ASSERTED_GRAPH, default_build.asserted),
        (INFERRED_GRAPH, default_build.inferred),
        (VOCAB_GRAPH, default_build.vocabularies),
    ):
        assert to_isomorphic(ds.graph(name)) == to_isomorphic(graph), name


def test_jsonld_dump_is_valid_json_with_a_context(release_dir):
    doc = json.loads((release_dir / "opsi-kg.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["opsi"] == "https://w3id.org/opsi-kg/ontology#"
    assert doc["@graph"]


def test_checksums_text_is_sha256sum_format(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    info = file_info(tmp_path / "a.txt")
    assert info.size == 3
    assert checksums_text([info]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.txt\n"


def test_cli_release_writes_a_conforming_release(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = main(["release", "--out", str(tmp_path / "r"), "--date", "2025-01-01", "--no-site", "-q"], out, err)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "catalog.ttl conforms to DCAT-AP 3.0.1" in text
    assert "release 2025-01-01" in text
    assert {p.name for p in (tmp_path / "r").iterdir()} == TOP_FILES
    assert not (tmp_path / "r" / "site").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "01/02/2025"], "--date"),
        (["--base-url", "ftp://example.org/"], "--base-url"),
        (["--metadata", "no-such-file.yaml"], "cannot read"),
    ],
)
def test_cli_release_usage_errors_exit_2(tmp_path, args, message):
    out, err = io.StringIO(), io.StringIO()
    code = main(["release", "--out", str(tmp_path / "r"), "-q", *args], out, err)
    assert code == 2
    assert message in err.getvalue()
    assert not (tmp_path / "r").exists()


def test_cli_release_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    site = tmp_path / "r" / "site"
    site.mkdir(parents=True)
    (site / "precious.txt").write_text("keep me")
    out, err = io.StringIO(), io.StringIO()
    code = main(["release", "--out", str(tmp_path / "r"), "--date", "2025-01-01", "-q"], out, err)
    assert code == 2 and "not a site made by opsi-kg" in err.getvalue()
    assert (site / "precious.txt").read_text() == "keep me"


def test_cli_release_unknown_licence_in_metadata_is_a_usage_error(tmp_path):
    meta = tmp_path / "meta.yaml"
    meta.write_text("licence: MY_OWN\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["release", "--out", str(tmp_path / "r"), "--metadata", str(meta), "-q"], out, err)
    assert code == 2 and "MY_OWN" in err.getvalue()


_PROBE = "import sys; from opsi_kg.cli import main; sys.exit(main(['release', '--out', sys.argv[1], '-q']))"


def _release_in_subprocess(out: Path, seed: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1735689600", "OPSI_KG_HOME": str(home())}
    return subprocess.Popen(
        [sys.executable, "-c", _PROBE, str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_releases_of_the_same_input_are_byte_identical(tmp_path):
    """Two processes with different hash seeds and SOURCE_DATE_EPOCH set write the same bytes."""
    procs = [_release_in_subprocess(tmp_path / f"r{i}", seed) for i, seed in enumerate(("1", "2"))]
    for proc in procs:
        _out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err.decode()
    one, two = _tree(tmp_path / "r0"), _tree(tmp_path / "r1")
    assert one.keys() == two.keys()
    assert b"2025-01-01" in one["catalog.ttl"]
    for name in sorted(one):
        assert one[name] == two[name], f"{name} differs between two releases of the same input"
