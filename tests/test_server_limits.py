"""The server's limits: time, result size, request size; a runaway query never hangs the server.

A second `opsi-kg serve` with tight limits, started once for this module from a TriG dump of the
default build (so it needs no second build), and always stopped.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from opsi_kg.serve.launch import ServeProcess

pytestmark = pytest.mark.server

TIMEOUT = 2.0
MAX_ROWS = 5
MAX_BYTES = 4096
# a cross product of the whole graph with itself, three times over: runs for hours
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(default_build, tmp_path_factory):
    dump = tmp_path_factory.mktemp("limits") / "opsi-kg.trig"
    dump.write_text(default_build.dataset().serialize(format="trig"), encoding="utf-8")
    args = ["--data", str(dump), "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS),
            "--max-request-bytes", str(MAX_BYTES), "--workers", "2", "--no-access-log"]
    with ServeProcess(args) as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        yield client


def test_a_query_over_the_time_limit_is_stopped_with_a_clear_error(http):
    started = time.monotonic()
    r = http.post("/sparql", data={"query": SLOW})
    took = time.monotonic() - started
    assert r.status_code == 503
    assert f"{TIMEOUT:g} s" in r.text and "time limit" in r.text
    assert took < TIMEOUT + 5
    # the worker was replaced: the server still answers
    assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_a_slow_query_does_not_block_the_others(http, server):
    slow: dict = {}

    def run_slow():
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as own:
            slow["response"] = own.post("/sparql", data={"query": SLOW})

    thread = threading.Thread(target=run_slow)
    thread.start()
    try:
        time.sleep(0.3)  # the slow query holds one worker now
        latencies = []
        for _ in range(10):
            started = time.monotonic()
            r = http.get("/api/queries/cases-by-year", params={"format": "csv"})
            latencies.append(time.monotonic() - started)
            assert r.status_code in (200, 422)
        assert max(latencies) < TIMEOUT, latencies
    finally:
        thread.join(timeout=TIMEOUT + 30)
    assert slow["response"].status_code == 503


def test_an_answer_over_the_row_limit_is_refused(http):
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert f"more than {MAX_ROWS} rows" in r.text and "LIMIT" in r.text
    ok = http.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"})
    assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == MAX_ROWS


def test_a_graph_over_the_limit_is_refused(http):
    r = http.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert r.status_code == 422 and "triples" in r.text


def test_a_saved_query_over_the_row_limit_is_refused_as_json(http):
    r = http.get("/api/queries/cases-by-country")
    assert r.status_code == 422 and "rows" in r.json()["error"]


def test_requests_over_the_size_limit_are_refused(http):
    padding = "#" + "x" * MAX_BYTES + "\n"
    r = http.post("/sparql", data={"query": padding + "ASK {}"})
    assert r.status_code == 413 and str(MAX_BYTES) in r.text
    r = http.post("/sparql", content=(padding + "ASK {}").encode(),
                  headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(10):
            yield b"#" + b"x" * 1000 + b"\n"

    r = http.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = http.get("/sparql", params={"query": padding + "ASK {}"})
    assert r.status_code == 414
    assert http.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_the_limits_are_on_the_home_page(http):
    assert f"{MAX_ROWS} rows per answer" in http.get("/").text


def test_busy_workers_queue_and_every_request_is_answered(server):
    """More clients than workers: requests wait for a worker, none fails."""
    errors: list = []

    def client():
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as own:
            for _ in range(5):
                r = own.get("/sparql", params={"query": "SELECT ?c WHERE { ?c a opsi:Case } LIMIT 3"})
                if r.status_code != 200:
                    errors.append(r.status_code)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
