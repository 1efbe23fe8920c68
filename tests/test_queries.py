"""Saved queries: headers parse, every query runs, answers equal hand-written expected rows on a
small fixture dataset, both embedded engines agree, QC queries find nothing on data/, and
parameters are bound as values, never pasted into the query."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from opsi_kg import build, catalogue, open_store, run_saved
from opsi_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH
from opsi_kg.queries import ParamError, bindings_for, parse_query_text
from opsi_kg.render import cell

HERE = Path(__file__).parent / "data" / "queries"
EXPECTED = sorted((HERE / "expected").glob("*.csv"))
CONCAT_COLUMNS = {"codes", "countries", "titles"}  # GROUP_CONCAT order is not defined by SPARQL
MAIN = [
    "participation-countries", "cases-by-country", "cases-by-theme", "cases-by-year",
    "cases-by-level-of-government", "multi-country-cases", "shared-actors", "actor-collaborations",
    "cases-in-region", "theme-cooccurrence", "countries-sharing-theme", "awarded-cases",
]


@pytest.fixture(scope="module")
def fixture_stores():
    result = build(HERE / "cases")
    assert result.report.built == 5, result.report.summary()
    graphs = {ASSERTED_GRAPH: result.asserted, INFERRED_GRAPH: result.inferred, VOCAB_GRAPH: result.vocabularies}
    return {name: open_store(graphs, backend=name) for name in ("oxigraph", "rdflib")}


def _canon(name: str, value: str) -> str:
    if name in CONCAT_COLUMNS and ", " in value:
        return ", ".join(sorted(value.split(", ")))
    if name in CONCAT_COLUMNS and " | " in value:
        return " | ".join(sorted(value.split(" | ")))
    return value


def _table(result) -> list[dict[str, str]]:
    return [{v: _canon(v, cell(t)) for v, t in zip(result.vars, row, strict=True)} for row in result.rows]


def test_the_issue_queries_exist():
    names = set(catalogue())
    assert set(MAIN) <= names
    assert any(n.endswith("-violation") for n in names)


@pytest.mark.parametrize("query", list(catalogue().values()), ids=lambda q: q.name)
def test_every_query_has_a_header(query):
    assert query.title, f"{query.name} has no '# title:'"
    assert query.summary, f"{query.name} has no '# summary:'"
    assert query.tags, f"{query.name} has no '# tags:'"
    for p in query.params:
        assert p.doc and p.default, f"{query.name}: parameter {p.name} needs a description and a default"
        assert f"?{p.name}" in query.text, f"{query.name}: parameter {p.name} is not a variable of the query"


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_query_gives_the_expected_rows(path, backend, fixture_stores):
    name, _, param = path.stem.partition("@")
    params = dict([param.split("=", 1)]) if param else {}
    result = run_saved(fixture_stores[backend], catalogue()[name], params)
    expected = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    expected = [{k: _canon(k, v) for k, v in row.items()} for row in expected]
    assert _table(result) == expected


def test_every_main_query_has_expected_rows():
    covered = {p.stem.partition("@")[0] for p in EXPECTED}
    assert set(MAIN) <= covered


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_backends_agree_on_the_default_data(name, stores):
    query = catalogue()[name]
    tables = {b: _table(run_saved(s, query)) for b, s in stores.items()}
    assert tables["oxigraph"] == tables["rdflib"]


@pytest.mark.parametrize("name", sorted(n for n in catalogue() if n.endswith("-violation")))
def test_qc_queries_find_nothing_on_the_default_data(name, stores):
    assert run_saved(stores["oxigraph"], catalogue()[name]).rows == []


def test_main_queries_answer_on_the_default_data(stores):
    store = stores["oxigraph"]
    countries = {cell(r[0]) for r in run_saved(store, catalogue()["participation-countries"]).rows}
    # Gwanak-gu (participatory budgeting, e-participation) and My France 2022 are participation cases.
    assert {"country:KOR", "country:FRA"} <= countries
    region = {cell(r[0]) for r in run_saved(store, catalogue()["cases-in-region"], {"region": "western-balkans"}).rows}
    assert "case:bifidex" in region


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("value", ['x" } DROP ALL #', "x> } ; DELETE WHERE { ?s ?p ?o } #", "' OR 1=1 --"])
def test_parameters_are_values_not_query_text(value, backend, fixture_stores):
    store = fixture_stores[backend]
    before = len(store)
    warnings: list[str] = []
    result = run_saved(store, catalogue()["cases-in-region"], {"region": value}, warnings=warnings)
    assert result.rows == []
    assert warnings and "unknown region" in warnings[0]
    result = run_saved(store, catalogue()["countries-sharing-theme"], {"theme": value}, warnings=warnings)
    assert result.rows == []
    assert len(store) == before


def test_parameter_errors_name_the_parameter():
    query = catalogue()["cases-in-region"]
    with pytest.raises(ParamError, match="no parameter 'regoin'"):
        bindings_for(query, {"regoin": "western-balkans"})
    text = "# title: t\n# param: year (year, default 2020): a year\nSELECT * WHERE { ?c opsi:launchYear ?year }"
    with pytest.raises(ParamError, match="not a whole number"):
        bindings_for(parse_query_text("q", text), {"year": "20x0"})


def test_region_labels_resolve_like_slugs(fixture_stores):
    query = catalogue()["cases-in-region"]
    by_slug = run_saved(fixture_stores["oxigraph"], query, {"region": "western-balkans"}).rows
    by_label = run_saved(fixture_stores["oxigraph"], query, {"region": "Western Balkans"}).rows
    assert by_slug == by_label and len(by_slug) == 2


def test_build_result_store_loads_the_same_graphs(default_build, stores):
    direct = default_build.store()  # loaded from the string triples, not from rdflib graphs
    assert len(direct) == len(stores["oxigraph"])
    for query in catalogue().values():
        assert _table(run_saved(direct, query)) == _table(run_saved(stores["oxigraph"], query)), query.name
