"""Docs tested against code: every CLI verb, saved query and shape appears in the docs."""

from __future__ import annotations

from pathlib import Path

from rdflib.namespace import RDF, SH

from opsi_kg.cli import COMMANDS
from opsi_kg.queries import catalogue
from opsi_kg.validation import shapes_graph

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_has_the_two_commands():
    assert "make run" in README and "make test" in README


def test_every_cli_verb_is_in_the_readme():
    missing = [verb for verb in COMMANDS if f"opsi-kg {verb}" not in README]
    assert not missing, f"README.md does not document: {missing}"


def test_every_saved_query_is_in_the_readme():
    missing = [name for name in catalogue() if f"`{name}`" not in README]
    assert not missing, f"README.md does not list: {missing}"


def test_every_shape_is_in_the_validation_doc():
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    missing = [
        str(s).rsplit("#", 1)[-1]
        for s in shapes_graph().subjects(RDF.type, SH.PropertyShape)
        if f"shape:{str(s).rsplit('#', 1)[-1]}`" not in doc and str(s).startswith("https://w3id.org/opsi-kg/shapes#")
    ]
    assert not missing, f"docs/validation.md does not list: {missing}"


def test_every_ontology_term_is_in_the_model_doc():
    from tests.test_ontology import DEFINED

    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    missing = [
        str(t).rsplit("#", 1)[-1] for t in DEFINED if "#" in str(t) and f"opsi:{str(t).rsplit('#', 1)[-1]}" not in doc
    ]
    assert not missing, f"docs/model.md does not describe: {missing}"
