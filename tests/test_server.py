"""`opsi-kg serve` as a real server on 127.0.0.1, queried with SPARQLWrapper and httpx.

One server (the embedded default dataset, built by the server itself) starts once for this module
and is always stopped. The embedded store of the same build is the reference for every answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from opsi_kg.namespaces import OPSI, sparql_prologue
from opsi_kg.queries import catalogue
from opsi_kg.render import render_table
from opsi_kg.serve.launch import ServeProcess

pytestmark = pytest.mark.server

SAVED = catalogue()
BASE = "https://w3id.org/opsi-kg/id/"
SRJ = "application/sparql-results+json"


@pytest.fixture(scope="module")
def server():
    with ServeProcess() as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=60, trust_env=False) as client:
        yield client


@pytest.fixture(scope="module")
def embedded(stores):
    return stores["oxigraph"]


def wrapper(server, fmt=JSON, method=POST) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def normalise(doc: dict, query_text: str = "") -> list[tuple]:
    """SPARQL JSON rows comparable across engines: GROUP_CONCAT cells as sorted sets, no bnode ids."""
    concat = dict(re.findall(r'GROUP_CONCAT\s*\(.*?SEPARATOR\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', query_text, re.S))
    concat = {var: sep for sep, var in concat.items()}
    names = doc["head"]["vars"]
    out = []
    for b in doc["results"]["bindings"]:
        row = []
        for n in names:
            term = b.get(n)
            if term is None:
                row.append(None)
                continue
            value = term["value"]
            if term["type"] == "bnode":
                value = "_"
            elif n in concat:
                value = tuple(sorted(value.split(concat[n])))
            row.append((term["type"], value, term.get("xml:lang"), term.get("datatype")))
        out.append(tuple(row))
    return out


# ---------------------------------------------------------------- SPARQL protocol with SPARQLWrapper


COUNT_CASES = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a opsi:Case }"


def test_sparqlwrapper_select_json(server, embedded):
    client = wrapper(server)
    client.setQuery(sparql_prologue() + COUNT_CASES)
    doc = client.queryAndConvert()
    expected = embedded.query(sparql_prologue() + COUNT_CASES).rows[0][0]
    assert doc["results"]["bindings"][0]["n"] == {
        "type": "literal", "value": str(expected), "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


@pytest.mark.parametrize("method", [POST, "GET"])
@pytest.mark.parametrize("request_method", ["urlencoded", POSTDIRECTLY])
def test_sparqlwrapper_methods(server, method, request_method):
    client = wrapper(server, JSON, method)
    client.setRequestMethod(request_method)
    client.setQuery("SELECT ?c WHERE { ?c a opsi:Case } ORDER BY ?c LIMIT 3")
    rows = client.queryAndConvert()["results"]["bindings"]
    assert len(rows) == 3 and all(r["c"]["value"].startswith(BASE + "case/") for r in rows)


def test_sparqlwrapper_select_xml(server, embedded):
    client = wrapper(server, XML)
    client.setQuery("SELECT ?c ?t WHERE { ?c a opsi:Case ; dct:title ?t } ORDER BY ?c LIMIT 5")
    doc = client.queryAndConvert()  # an xml.dom document
    results = doc.getElementsByTagName("result")
    assert len(results) == 5
    literal = results[0].getElementsByTagName("literal")[0]
    assert literal.getAttribute("xml:lang") == "en"


def test_sparqlwrapper_select_csv_and_tsv(server):
    query = "SELECT ?c ?t WHERE { ?c a opsi:Case ; dct:title ?t } ORDER BY ?c LIMIT 4"
    client = wrapper(server, CSV)
    client.setQuery(query)
    rows = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert rows[0] == ["c", "t"] and len(rows) == 5 and rows[1][0].startswith(BASE)
    client = wrapper(server, TSV)
    client.setQuery(query)
    lines = client.queryAndConvert().decode("utf-8").splitlines()
    assert lines[0] == "?c\t?t" and lines[1].startswith(f"<{BASE}case/") and lines[1].endswith("@en")


def test_sparqlwrapper_ask(server):
    client = wrapper(server)
    client.setQuery("ASK { ?c a opsi:Case }")
    assert client.queryAndConvert() == {"head": {}, "boolean": True}
    client.setQuery("ASK { ?c a opsi:NoSuchClass }")
    assert client.queryAndConvert()["boolean"] is False


CONSTRUCT = "CONSTRUCT { ?c dct:title ?t } WHERE { ?c a opsi:Case ; dct:title ?t }"


@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_sparqlwrapper_construct(server, embedded, fmt):
    client = wrapper(server, fmt)
    client.setQuery(CONSTRUCT)
    got = client.queryAndConvert()
    if not isinstance(got, Graph):  # SPARQLWrapper hands Turtle back as bytes
        got = Graph().parse(data=got, format="turtle")
    expected = embedded.query(sparql_prologue() + CONSTRUCT).graph
    assert len(expected) > 40
    assert isomorphic(got, expected)


def test_sparqlwrapper_describe(server):
    client = wrapper(server, TURTLE)
    client.setQuery(f"DESCRIBE <{BASE}scheme/themes>")
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert (URIRef(BASE + "scheme/themes"), RDF.type, None) in graph


def test_sparqlwrapper_bad_query_gives_the_parsers_message(server):
    client = wrapper(server)
    client.setQuery("SELECT ?x WHERE { ?x }")
    with pytest.raises(QueryBadFormed) as info:
        client.queryAndConvert()
    assert "does not parse" in str(info.value) and "1:" in str(info.value)


def test_sparqlwrapper_update_is_refused(server):
    client = wrapper(server)
    client.setQuery("INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }")
    with pytest.raises(Exception) as info:
        client.query()
    assert "403" in str(info.value)


# ---------------------------------------------------------------- SPARQL protocol with httpx


def test_get_post_form_and_post_body_agree(http):
    query = "SELECT ?c WHERE { ?c a opsi:Case } ORDER BY ?c"
    answers = [
        http.get("/sparql", params={"query": query}),
        http.post("/sparql", data={"query": query}),
        http.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for r in answers:
        assert r.status_code == 200 and r.headers["content-type"].startswith(SRJ)
    assert answers[0].json() == answers[1].json() == answers[2].json()


@pytest.mark.parametrize(
    "accept, media",
    [
        (None, SRJ),
        ("application/sparql-results+json", SRJ),
        ("application/json", SRJ),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_select_formats_by_accept(http, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = http.get("/sparql", params={"query": "SELECT ?c WHERE { ?c a opsi:Case } LIMIT 2"}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers.get("vary", "")


def test_select_xml_is_well_formed(http):
    r = http.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("a<b&c" AS ?x) }'},
                 headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.find(f"{ns}results/{ns}result/{ns}binding/{ns}literal").text == "a<b&c"


@pytest.mark.parametrize(
    "accept, media, rdflib_format",
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_by_accept(http, embedded, accept, media, rdflib_format):
    r = http.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    got = Graph().parse(data=r.content, format=rdflib_format)
    assert isomorphic(got, embedded.query(sparql_prologue() + CONSTRUCT).graph)


def test_format_parameter_wins_over_accept(http):
    r = http.get("/sparql", params={"query": "ASK {}", "format": "csv"}, headers={"Accept": SRJ})
    assert r.headers["content-type"].startswith("text/csv") and r.text.splitlines()[1] == "true"
    r = http.get("/sparql", params={"query": "ASK {}", "format": "png"})
    assert r.status_code == 400 and "unknown format" in r.text


def test_not_acceptable(http):
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    r = http.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406


def test_syntax_error_is_400_with_the_parsers_message(http):
    r = http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert "does not parse" in r.text and re.search(r"1:\d+", r.text)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"update": "DROP ALL"}},
        {"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"data": {"query": "PREFIX ex: <http://ex/>\nINSERT DATA { ex:a ex:b ex:c }"}},
        {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}},
        {"data": {"query": "LOAD <http://example.org/x.ttl>"}},
    ],
)
def test_update_is_refused_with_403(http, request_kwargs, embedded):
    before = len(embedded)
    r = http.post("/sparql", **request_kwargs)
    assert r.status_code == 403 and "read-only" in r.text
    count = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == before


def test_federated_query_is_refused(http, server):
    query = f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}"
    r = http.get("/sparql", params={"query": query})
    assert r.status_code == 403 and "SERVICE" in r.text


def test_post_without_a_usable_body(http):
    assert http.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert http.post("/sparql", data={"nothing": "here"}).status_code == 400
    assert http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert http.put("/sparql", content=b"x").status_code == 405


def test_dataset_parameters(http):
    asserted = "https://w3id.org/opsi-kg/graph/asserted"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?c opsi:involves ?a }"  # opsi:involves is only inferred
    r = http.get("/sparql", params={"query": query, "default-graph-uri": asserted})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "0"
    r = http.get("/sparql", params={"query": query})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_service_description(http, default_graphs):
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = Graph().parse(data=r.text, format="turtle")
    SD = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(str(http.base_url).rstrip("/") + "/sparql")
    assert (endpoint, RDF.type, URIRef(SD + "Service")) in sd
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in sd
    names = {str(o) for o in sd.objects(None, URIRef(SD + "name"))}
    assert names == {str(g) for g in default_graphs}
    sizes = {int(o) for o in sd.objects(None, URIRef("http://rdfs.org/ns/void#triples"))}
    assert {len(g) for g in default_graphs.values()} <= sizes
    html = http.get("/sparql", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "<form" in html.text


def test_prefixes_are_predeclared_and_own_prefixes_win(http):
    r = http.get("/sparql", params={"query": "PREFIX opsi: <http://ex/> ASK { ?c a opsi:Case }"})
    assert r.json()["boolean"] is False
    r = http.get("/sparql", params={"query": "ASK { ?c a opsi:Case }"})
    assert r.json()["boolean"] is True


# ---------------------------------------------------------------- saved queries as an API


def test_api_lists_every_saved_query(http):
    doc = http.get("/api/queries").json()
    names = [q["name"] for q in doc["queries"]]
    assert names == list(SAVED)
    first = doc["queries"][0]
    assert set(first) >= {"name", "title", "summary", "tags", "parameters", "url", "qc"}


@pytest.mark.parametrize("name", list(SAVED))
def test_api_runs_every_saved_query_like_the_embedded_store(http, embedded, name):
    q = SAVED[name]
    r = http.get(f"/api/queries/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(SRJ)
    from opsi_kg.queries import run_saved

    expected = json.loads(render_table(run_saved(embedded, q), "json"))
    assert normalise(r.json(), q.text) == normalise(expected, q.text)
    if q.is_qc:
        assert r.json()["results"]["bindings"] == []


def test_api_csv_and_parameters(http, embedded):
    q = SAVED["participation-countries"]
    from opsi_kg.queries import run_saved

    expected = render_table(run_saved(embedded, q, {"theme": "open-government"}), "csv")
    r = http.get("/api/queries/participation-countries", params={"theme": "open-government", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    got = list(csv.reader(io.StringIO(r.text)))
    assert got == list(csv.reader(io.StringIO(expected)))
    r2 = http.get("/api/queries/participation-countries", params={"theme": "open-government"},
                  headers={"Accept": "text/csv"})
    assert r2.text == r.text


def test_api_value_that_looks_like_sparql_stays_a_value(http):
    r = http.get("/api/queries/participation-countries", params={"theme": 'x" } } DROP ALL #'})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert http.get("/api/queries/participation-countries").json()["results"]["bindings"]


def test_api_errors(http):
    r = http.get("/api/queries/participation-countrys")
    assert r.status_code == 404 and "participation-countries" in r.json()["error"]
    r = http.get("/api/queries/participation-countries", params={"colour": "blue"})
    assert r.status_code == 400 and "colour" in r.json()["error"]
    r = http.get("/api/queries/participation-countries", params={"format": "xlsx"})
    assert r.status_code == 400
    r = http.get("/api/queries/participation-countries", params={"theme": "Frnace"})
    assert r.status_code == 200 and "opsi-kg-warning" in r.headers


def test_api_html_table(http):
    r = http.get("/api/queries/cases-by-country", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<table>" in r.text and "France" in r.text
    assert "content-security-policy" in r.headers


def test_openapi_document(http):
    doc = http.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for name in SAVED:
        op = doc["paths"][f"/api/queries/{name}"]["get"]
        declared = {p["name"] for p in op["parameters"] if "name" in p}
        assert declared == {p.name for p in SAVED[name].params}
    assert {"/sparql", "/api/queries", "/id/{path}"} <= set(doc["paths"])

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for ref in refs(doc):  # every reference resolves
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_home_page_lists_the_catalogue_and_a_sparql_form(http):
    r = http.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    for q in SAVED.values():
        assert f"/api/queries/{q.name}" in r.text
    assert '<form action="/sparql"' in r.text and 'name="query"' in r.text


def test_html_is_escaped(http):
    r = http.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'},
                 headers={"Accept": "text/html"})
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


# ---------------------------------------------------------------- linked data


def _subjects(default_graphs, cls):
    return sorted({s for g in default_graphs.values() for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)})


def _cbd(default_graphs, iri: URIRef) -> Graph:
    out = Graph()
    for g in default_graphs.values():
        for t in g.triples((iri, None, None)):
            out.add(t)
    return out


def test_every_case_dereferences_as_turtle(http, default_graphs):
    cases = _subjects(default_graphs, OPSI.Case)
    assert len(cases) >= 40
    for case in cases:
        path = "/id/" + str(case)[len(BASE):]
        r = http.get(path, headers={"Accept": "text/turtle"})
        assert r.status_code == 200, path
        assert isomorphic(Graph().parse(data=r.text, format="turtle"), _cbd(default_graphs, case)), path


@pytest.mark.parametrize("cls", [OPSI.Actor, OPSI.Theme, OPSI.Region])
@pytest.mark.parametrize(
    "accept, suffix, media, rdflib_format",
    [
        ("text/turtle", ".ttl", "text/turtle", "turtle"),
        ("application/n-triples", ".nt", "application/n-triples", "nt"),
        ("application/ld+json", ".jsonld", "application/ld+json", "json-ld"),
        ("application/rdf+xml", ".rdf", "application/rdf+xml", "xml"),
    ],
)
def test_resources_by_accept_and_by_suffix(http, default_graphs, cls, accept, suffix, media, rdflib_format):
    iri = _subjects(default_graphs, cls)[0]
    assert str(iri).startswith(BASE)
    path = "/id/" + str(iri)[len(BASE):]
    by_accept = http.get(path, headers={"Accept": accept})
    by_suffix = http.get(path + suffix)
    for r in (by_accept, by_suffix):
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
        assert isomorphic(Graph().parse(data=r.content, format=rdflib_format), _cbd(default_graphs, iri))
    assert "Accept" in by_accept.headers["vary"]
    assert by_suffix.headers["content-location"] == path + suffix


def test_resource_html_page(http, default_graphs):
    case = _subjects(default_graphs, OPSI.Case)[0]
    path = "/id/" + str(case)[len(BASE):]
    r = http.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    title = next(t for g in default_graphs.values() for t in g.objects(case, URIRef("http://purl.org/dc/terms/title")))
    assert str(title).replace("'", "&#x27;") in r.text or str(title) in r.text
    assert 'href="/id/' in r.text  # links to other resources stay on this server
    assert http.get(path + ".html").status_code == 200


def test_theme_page_links_back_to_cases(http):
    r = http.get("/id/theme/citizen-participation", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Referenced by" in r.text and 'href="/id/case/' in r.text


def test_unknown_resources_are_404(http):
    for path in ("/id/case/no-such-case", "/id/case/no-such-case.ttl", "/id/nothing", "/id/actor/"):
        r = http.get(path, headers={"Accept": "text/turtle"})
        assert r.status_code == 404, path
    assert http.get("/no/such/route").status_code == 404
    page = http.get("/id/case/no-such-case", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<html" in page.text


def test_resource_page_uses_the_site_look(http):
    r = http.get("/id/theme/citizen-participation.html")
    assert '<link rel="stylesheet" href="/style.css">' in r.text
    assert 'href="/id/theme/citizen-participation.ttl"' in r.text  # the other formats are linked
    css = http.get("/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert http.get("/index.html").status_code == 200


def test_paths_that_are_no_iri_are_404(http):
    for path in ("/id/case/a%20b", "/id/case/%3Cx%3E", "/id/case/x%22y"):
        assert http.get(path, headers={"Accept": "text/turtle"}).status_code == 404, path


def test_resource_not_acceptable(http):
    assert http.get("/id/theme/citizen-participation", headers={"Accept": "image/png"}).status_code == 406


def test_cors_allows_browser_clients(http):
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "*"


def test_literal_terms_round_trip(http, embedded):
    query = sparql_prologue() + "SELECT ?y WHERE { ?c opsi:launchYear ?y } ORDER BY ?y LIMIT 1"
    r = http.get("/sparql", params={"query": query})
    term = r.json()["results"]["bindings"][0]["y"]
    expected = embedded.query(query).rows[0][0]
    assert isinstance(expected, Literal)
    assert term == {"type": "literal", "value": str(expected), "datatype": str(expected.datatype)}


def test_serve_usage_errors(server):
    from opsi_kg.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["serve", "--port", str(server.port)], out, err) == 2  # the port is taken: fails before the build
    assert "cannot listen on" in err.getvalue()
    for bad in (["--workers", "0"], ["--timeout", "-1"], ["--max-rows", "0"], ["--port", "70000"]):
        err = io.StringIO()
        assert main(["serve", *bad], io.StringIO(), err) == 2, bad
    from opsi_kg.serve.launch import free_port

    missing = ["serve", "--data", "/no/such/dump.trig", "--port", str(free_port())]
    assert main(missing, io.StringIO(), io.StringIO()) == 2
