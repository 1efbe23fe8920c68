"""`opsi-kg push` against a small Graph Store on 127.0.0.1 that checks credentials and misbehaves
on request: credentials reach the store and never a message; count mismatches and errors are
reported clearly.

The store is a stdlib HTTP server in a thread (started once for this module, always stopped). It
is deliberately leaky: its error pages echo the Authorization header, so scrubbing is tested.
"""

from __future__ import annotations

import base64
import io
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import Graph, Literal, URIRef

from opsi_kg.cli import main
from opsi_kg.remote import GraphStore, RemoteError, RemoteStore, push

pytestmark = pytest.mark.server

USER, PASSWORD = "alice", "pa55-w0rd-s3cret"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class FakeStore(BaseHTTPRequestHandler):
    graphs: dict[str, bytes] = {}
    mode: dict[str, str] = {}
    seen_auth: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def _graph(self) -> str | None:
        values = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("graph")
        return values[0] if values else None

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        self.seen_auth.append(auth)
        if auth == f"Basic {TOKEN}":
            return True
        # a leaky store: the error page repeats what it was sent, decoded too
        try:
            decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()
        except ValueError:
            decoded = ""
        self._send(401, f"<html><body>bad login: {auth} ({decoded})</body></html>".encode(), "text/html")
        return False

    def do_PUT(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorised():
            return
        if self.mode.get("put") == "500":
            self._send(500, f"internal error while storing (auth was {self.headers['Authorization']})".encode())
            return
        if self.mode.get("put") == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.2:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.graphs[self._graph()] = body
        self._send(204)

    def do_GET(self):  # noqa: N802
        if not self._authorised():
            return
        body = self.graphs.get(self._graph())
        if body is None:
            self._send(404, b"no such graph")
            return
        if self.mode.get("get") == "lossy":  # loses a triple on the way
            body = b"\n".join(body.splitlines()[1:]) + b"\n"
        self._send(200, body, "application/n-triples")

    def do_POST(self):  # noqa: N802 - a SPARQL endpoint that fails loudly
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorised():
            return
        self._send(500, f"query failed; your credentials were {USER}:{PASSWORD}".encode())


@pytest.fixture(scope="module")
def fake_store():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def reset():
    FakeStore.graphs.clear()
    FakeStore.mode.clear()
    FakeStore.seen_auth.clear()


@pytest.fixture
def small_dump(tmp_path):
    """A TriG dump with two small named graphs."""
    text = """
    @prefix ex: <http://example.org/> .
    <https://w3id.org/opsi-kg/graph/asserted> { ex:a ex:p "1", "2", "3" . ex:b ex:p ex:a . }
    <https://w3id.org/opsi-kg/graph/inferred> { ex:a ex:q ex:b . }
    """
    path = tmp_path / "small.trig"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert TOKEN not in text


def test_push_with_user_and_password_from_the_environment(fake_store, small_dump, monkeypatch):
    monkeypatch.setenv("OPSI_TEST_PW", PASSWORD)
    code, out, err = cli("push", "--store", fake_store, "--data", str(small_dump), "--user", USER,
                         "--password-env", "OPSI_TEST_PW")
    assert code == 0, err
    assert set(FakeStore.graphs) == {"https://w3id.org/opsi-kg/graph/asserted",
                                     "https://w3id.org/opsi-kg/graph/inferred"}
    assert all(a == f"Basic {TOKEN}" for a in FakeStore.seen_auth)
    assert "remote counts equal" in out
    assert_no_secret(out, err)


def test_credentials_in_the_url_work_and_are_never_shown(fake_store, small_dump):
    url = fake_store.replace("http://", f"http://{USER}:{PASSWORD}@")
    code, out, err = cli("push", "--store", url, "--data", str(small_dump))
    assert code == 0, err
    assert fake_store in out
    assert_no_secret(out, err)


def test_wrong_password_is_reported_without_any_credential(fake_store, small_dump, monkeypatch):
    monkeypatch.setenv("OPSI_TEST_PW", PASSWORD + "-wrong")
    code, out, err = cli("push", "--store", fake_store, "--data", str(small_dump), "--user", USER,
                         "--password-env", "OPSI_TEST_PW")
    assert code == 2
    assert "HTTP 401" in err and "check the user name and password" in err
    assert_no_secret(out, err)
    wrong_token = base64.b64encode(f"{USER}:{PASSWORD}-wrong".encode()).decode()
    assert wrong_token not in err and f"{PASSWORD}-wrong" not in err


def test_store_errors_are_scrubbed(fake_store):
    FakeStore.mode["put"] = "500"
    store = GraphStore(fake_store, user=USER, password=PASSWORD)
    g = Graph()
    g.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("x")))
    with pytest.raises(RemoteError) as info:
        push(store, {"http://example.org/g": g})
    assert "HTTP 500" in str(info.value) and "internal error while storing" in str(info.value)
    assert_no_secret(str(info.value), repr(store))


def test_query_errors_are_scrubbed(fake_store):
    remote = RemoteStore(fake_store.replace("/store", "/query"), user=USER, password=PASSWORD, timeout=5)
    with pytest.raises(RemoteError) as info:
        remote.query("SELECT * WHERE { ?s ?p ?o }")
    assert "HTTP 500" in str(info.value)
    assert_no_secret(str(info.value), repr(remote))
    code, out, err = cli("sparql", "ASK {}", "--endpoint",
                         fake_store.replace("http://", f"http://{USER}:{PASSWORD}@").replace("/store", "/query"))
    assert code == 2 and "HTTP" in err
    assert_no_secret(out, err)


def test_a_redirect_is_not_followed_with_credentials(fake_store, small_dump):
    FakeStore.mode["put"] = "redirect"
    url = fake_store.replace("http://", f"http://{USER}:{PASSWORD}@")
    code, out, err = cli("push", "--store", url, "--data", str(small_dump))
    assert code == 2 and "307" in err
    assert_no_secret(out, err)


def test_a_count_that_differs_fails_the_push(fake_store, small_dump):
    FakeStore.mode["get"] = "lossy"
    url = fake_store.replace("http://", f"http://{USER}:{PASSWORD}@")
    code, out, err = cli("push", "--store", url, "--data", str(small_dump))
    assert code == 2
    assert "DIFFERENT" in out
    assert "holds 3 triples in https://w3id.org/opsi-kg/graph/asserted, not 4" in err


def test_push_usage_errors(fake_store, small_dump, monkeypatch):
    monkeypatch.delenv("OPSI_TEST_UNSET", raising=False)
    code, _, err = cli("push", "--store", fake_store, "--data", str(small_dump), "--user", USER,
                       "--password-env", "OPSI_TEST_UNSET")
    assert code == 2 and "OPSI_TEST_UNSET" in err and "not set" in err
    code, _, err = cli("push", "--store", fake_store, "--data", str(small_dump), "--password-env", "X")
    assert code == 2 and "--user" in err
    code, _, err = cli("push", "--store", "ftp://example.org/store", "--data", str(small_dump))
    assert code == 2 and "not an http" in err
    code, _, err = cli("push", "--store", fake_store, "--data", str(small_dump), "--graph", "nonsense")
    assert code == 2 and "no such graph" in err
    code, _, err = cli("push", "--data", str(small_dump))
    assert code == 2 and "--store" in err
    assert FakeStore.graphs == {}
