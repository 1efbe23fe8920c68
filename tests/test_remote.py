"""A real Oxigraph server on 127.0.0.1: push the graphs to it, then every saved query gives the same
rows there as on the embedded store, through RemoteStore and through `opsi-kg query run --endpoint`.

The server (the `oxigraph` package's binary, temporary store) starts once for this module and is
always stopped.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading

import pytest
from rdflib import BNode, Literal

from opsi_kg.cli import main
from opsi_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH, sparql_prologue
from opsi_kg.queries import catalogue, run_saved
from opsi_kg.remote import GraphStore, RemoteError, RemoteStore, push
from opsi_kg.render import render_table
from opsi_kg.serve.launch import OxigraphServer, free_port

pytestmark = pytest.mark.server

SAVED = catalogue()


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def dump(default_build, tmp_path_factory):
    path = tmp_path_factory.mktemp("push") / "opsi-kg.trig"
    path.write_text(default_build.dataset().serialize(format="trig"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def oxigraph():
    with OxigraphServer() as server:
        yield server


@pytest.fixture(scope="module")
def pushed(oxigraph, dump):
    """`opsi-kg push` of the default build (as a TriG dump) to the Oxigraph server."""
    return cli("push", "--store", oxigraph.store_url, "--data", str(dump), "--quiet")


@pytest.fixture(scope="module")
def remote(oxigraph, pushed):
    assert pushed[0] == 0, pushed
    return RemoteStore(oxigraph.query_url, timeout=30)


@pytest.fixture(scope="module")
def embedded(stores):
    return stores["oxigraph"]


def concat_columns(query_text: str) -> dict[str, str]:
    """Variables bound by GROUP_CONCAT, with their separator: SPARQL leaves their order open."""
    return {var: sep for sep, var in
            re.findall(r'GROUP_CONCAT\s*\(.*?SEPARATOR\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', query_text, re.S)}


def comparable(rows, names: list[str], query_text: str) -> list[tuple]:
    concat = concat_columns(query_text)
    out = []
    for row in rows:
        cells = []
        for name, term in zip(names, row, strict=True):
            if isinstance(term, BNode):
                cells.append("_:b")
            elif name in concat and isinstance(term, Literal):
                cells.append((tuple(sorted(str(term).split(concat[name]))), term.datatype, term.language))
            else:
                cells.append(term)
        out.append(tuple(cells))
    return out


def test_push_replaces_each_graph_and_checks_the_counts(pushed, default_graphs):
    code, out, err = pushed
    assert code == 0, err
    for iri, graph in default_graphs.items():
        line = next(line for line in out.splitlines() if line.startswith(str(iri)))
        assert line.split()[1:] == [str(len(graph)), str(len(graph)), "ok"]
    assert "the remote counts equal the local ones" in out


def test_remote_counts_per_graph(remote, default_graphs):
    for iri, graph in default_graphs.items():
        assert remote.count(str(iri)) == len(graph)


@pytest.mark.parametrize("name", list(SAVED))
def test_every_saved_query_gives_the_same_rows_remotely(remote, embedded, name):
    q = SAVED[name]
    here = run_saved(embedded, q)
    there = run_saved(remote, q)
    assert there.vars == here.vars
    assert comparable(there.rows, there.vars, q.text) == comparable(here.rows, here.vars, q.text)
    if not q.is_qc:
        assert here.rows, f"{name} finds nothing on the default data; the comparison says little"


@pytest.mark.parametrize("name", list(SAVED))
def test_every_saved_query_through_the_cli_with_endpoint(oxigraph, remote, embedded, name):
    q = SAVED[name]
    code, out, err = cli("query", "run", name, "--endpoint", oxigraph.query_url, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    expected = json.loads(render_table(run_saved(embedded, q), "json"))
    concat = concat_columns(q.text)

    def rows(d):
        return [
            {k: (tuple(sorted(v["value"].split(concat[k]))) if k in concat else v["value"], v.get("datatype"),
                 v.get("xml:lang")) for k, v in b.items()}
            for b in d["results"]["bindings"]
        ]

    assert doc["head"]["vars"] == expected["head"]["vars"]
    assert rows(doc) == rows(expected)


def test_cli_query_with_a_parameter_on_the_endpoint(oxigraph, remote, embedded):
    args = ("query", "run", "participation-countries", "--param", "theme=open-government", "--format", "csv")
    code, out, err = cli(*args, "--endpoint", oxigraph.query_url)
    assert code == 0, err
    expected = render_table(run_saved(embedded, SAVED["participation-countries"], {"theme": "open-government"}), "csv")
    assert list(csv.reader(io.StringIO(out))) == list(csv.reader(io.StringIO(expected)))


def test_cli_sparql_on_the_endpoint(oxigraph, remote, embedded):
    query = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a opsi:Case }"
    code, out, err = cli("sparql", query, "--endpoint", oxigraph.query_url, "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1] == str(embedded.query(sparql_prologue() + query).rows[0][0])


def test_construct_and_ask_on_the_endpoint(remote, embedded):
    from rdflib.compare import isomorphic

    construct = sparql_prologue() + "CONSTRUCT WHERE { ?c a opsi:Case ; dct:title ?t }"
    assert isomorphic(remote.query(construct).graph, embedded.query(construct).graph)
    assert remote.query(sparql_prologue() + "ASK { ?c a opsi:Case }").boolean is True


def test_push_again_replaces_rather_than_adds(oxigraph, remote, default_graphs, dump):
    code, out, err = cli("push", "--store", oxigraph.store_url, "--data", str(dump), "--quiet")
    assert code == 0, err
    for iri, graph in default_graphs.items():
        assert remote.count(str(iri)) == len(graph)


def test_push_one_graph_counting_with_sparql(oxigraph, remote, default_graphs, dump):
    code, out, err = cli("push", "--store", oxigraph.store_url, "--data", str(dump), "--graph", "vocabularies",
                         "--endpoint", oxigraph.query_url, "--quiet")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("https://")]
    assert [line.split()[0] for line in lines] == [str(VOCAB_GRAPH)]


def test_push_api_replaces_a_graph_with_smaller_content(oxigraph, remote, default_graphs):
    store = GraphStore(oxigraph.store_url)
    small = {INFERRED_GRAPH: default_graphs[INFERRED_GRAPH]}
    scratch = "https://w3id.org/opsi-kg/graph/scratch"
    graph = default_graphs[ASSERTED_GRAPH]
    try:
        [first] = push(store, {scratch: graph})
        assert first.ok and first.remote == len(graph)
        half = type(graph)()
        for i, triple in enumerate(sorted(graph)):
            if i % 2:
                half.add(triple)
        [second] = push(store, {scratch: half})
        assert second.ok and second.remote == len(half)
    finally:
        push(store, {scratch: type(graph)()})
    assert push(store, small)[0].ok


def test_push_to_the_query_url_explains_itself(oxigraph, default_graphs):
    with pytest.raises(RemoteError) as info:
        GraphStore(oxigraph.query_url).put(str(ASSERTED_GRAPH), default_graphs[ASSERTED_GRAPH])
    assert "Graph Store Protocol" in str(info.value)


# ---------------------------------------------------------------- a store that is down, slow or failing


def test_endpoint_down(dump):
    port = free_port()
    down = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=2)
    with pytest.raises(RemoteError, match="connection refused"):
        down.query("ASK {}")
    code, out, err = cli("query", "run", "cases-by-year", "--endpoint", f"http://127.0.0.1:{port}/query")
    assert code == 2 and "connection refused" in err and "Traceback" not in err
    code, out, err = cli("push", "--store", f"http://127.0.0.1:{port}/store", "--data", str(dump), "-q")
    assert code == 2 and "connection refused" in err and f"127.0.0.1:{port}/store" in err


@pytest.fixture
def silent_server():
    """A socket that accepts connections and never answers (a hung store)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_endpoint_slow(silent_server, dump):
    slow = RemoteStore(silent_server + "/query", timeout=1)
    with pytest.raises(RemoteError, match=r"did not answer within 1 s"):
        slow.query("ASK {}")
    code, out, err = cli("query", "run", "cases-by-year", "--endpoint", silent_server + "/query", "--timeout", "1")
    assert code == 2 and "did not answer within 1 s" in err
    code, out, err = cli("push", "--store", silent_server + "/store", "--data", str(dump), "--timeout", "1", "-q")
    assert code == 2 and "did not answer within 1 s" in err


def test_endpoint_answers_with_an_error(remote):
    with pytest.raises(RemoteError) as info:
        remote.query("SELECT ?x WHERE { ?x }")
    message = str(info.value)
    assert "HTTP 400" in message and re.search(r"1:\d+", message)  # Oxigraph's own parser message
