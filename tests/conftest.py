"""Shared fixtures: the default build is made once per test session."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from opsi_kg import build
from opsi_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH
from opsi_kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True, scope="session")
def _build_caches_in_a_temporary_folder(tmp_path_factory):
    """The CLI keeps build caches under .opsi-kg-cache/ of the working folder; not in the checkout."""
    os.environ["OPSI_KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("build-caches"))


def pytest_addoption(parser):
    parser.addoption(
        "--regen", action="store_true", help="rewrite golden files (expected.ttl, expected rows) from the code"
    )


@pytest.fixture(scope="session")
def regen(request) -> bool:
    return bool(request.config.getoption("--regen"))


@pytest.fixture(scope="session")
def default_build():
    """The pipeline run once on the embedded dataset data/cases."""
    return build()


@pytest.fixture(scope="session")
def default_graphs(default_build):
    return {
        ASSERTED_GRAPH: default_build.asserted,
        INFERRED_GRAPH: default_build.inferred,
        VOCAB_GRAPH: default_build.vocabularies,
    }


@pytest.fixture(scope="session", params=["oxigraph", "rdflib"])
def default_store(request, default_graphs):
    """The default build in each embedded backend."""
    return open_store(default_graphs, backend=request.param)


@pytest.fixture(scope="session")
def stores(default_graphs):
    return {name: open_store(default_graphs, backend=name) for name in ("oxigraph", "rdflib")}


RELEASE_DATE = dt.date(2025, 1, 1)


@pytest.fixture(scope="session")
def release_dir(default_build, tmp_path_factory) -> Path:
    """One release of the default build, dated RELEASE_DATE (shared by the publishing tests)."""
    from opsi_kg.publish import ReleaseOptions, write_release

    root = tmp_path_factory.getbasetemp() / "opsi-release"
    if not (root / ".complete").exists():
        write_release(default_build, root, ReleaseOptions(date=RELEASE_DATE))
        (root / ".complete").write_text("")
    return root


@pytest.fixture
def write_records(tmp_path):
    """Write records {name: dict-or-text} as YAML files into tmp_path/cases and return the folder."""

    def write(records: dict[str, object]) -> Path:
        folder = tmp_path / "cases"
        folder.mkdir(exist_ok=True)
        for name, content in records.items():
            text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return write


@pytest.fixture(scope="session")
def test_output() -> Path:
    out = Path(os.environ.get("OPSI_KG_TEST_OUTPUT", ROOT / "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    return out
