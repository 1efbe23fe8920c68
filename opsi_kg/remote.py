"""Remote SPARQL 1.1 stores: query through SPARQLWrapper, push through the Graph Store HTTP Protocol.

SPARQLWrapper is imported here and nowhere else. Every error says which endpoint failed and why
(down, slow, or what it answered) and never carries a credential: user names and passwords given
as arguments or in the URL are scrubbed from every message, and URLs are shown without them.

Pushing replaces each named graph with one ``PUT <store>?graph=<IRI>`` (the protocol's indirect
graph identification), which the store applies atomically per graph, then reads the triple count
of each graph back and compares it with the local one.

>>> _redact("http://alice:s3cret@127.0.0.1:7878/store?graph=x")
'http://127.0.0.1:7878/store?graph=x'
>>> _Secrets("s3cret").scrub("login s3cret refused")
'login *** refused'
"""

from __future__ import annotations

import ast
import base64
import html
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .store import QueryError, QueryResult, inline_bindings


class RemoteError(QueryError):
    """The remote endpoint is down, slow, refused the request or answered with an error."""


# ---------------------------------------------------------------- credentials


def _redact(url: str) -> str:
    """``url`` without the user name and password of its authority part."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host += f":{parts.port}"
        parts = parts._replace(netloc=host)
    return urllib.parse.urlunsplit(parts)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without credentials, and the (percent-decoded) user and password it carried."""
    parts = urllib.parse.urlsplit(url)
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return _redact(url), user, password


class _Secrets:
    """Strings that must never be shown: removed from any message before it is raised."""

    def __init__(self, *values: str | None):
        self.values = sorted({v for v in values if v}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, "***")
        return text


def _auth_header(user: str | None, password: str | None) -> dict[str, str]:
    if user is None:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _secrets(user: str | None, password: str | None) -> _Secrets:
    token = _auth_header(user, password).get("Authorization", "").removeprefix("Basic ")
    # the user name is not secret on its own, but user:password pairs and tokens are
    pair = f"{user}:{password}" if user is not None and password else None
    return _Secrets(password, token, pair)


def _snippet(body: bytes | str | None, limit: int = 300) -> str:
    """The first words of an error body, tags and whitespace removed."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _wrapper_body(exc: Exception) -> bytes | None:
    """The server's answer SPARQLWrapper put into its exception message (as a bytes repr)."""
    text = str(exc)
    marker = "Response:\n"
    if marker not in text:
        return None
    try:
        value = ast.literal_eval(text.split(marker, 1)[1].strip())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, bytes) else None


_WRAPPER_STATUS = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _http_message(where: str, status: int, reason: str | None, body: bytes | str | None, hint: str = "") -> str:
    reason = reason or _REASONS.get(status, "")
    text = _snippet(body)
    msg = f"{where} answered HTTP {status} {reason}".rstrip()
    if status == 401:
        msg += " (check the user name and password)"
    if text:
        msg += f": {text}"
    return msg + hint


def _network_message(where: str, exc: BaseException, timeout: float) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.timeout | TimeoutError):
        return f"{where} did not answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return f"cannot reach {where}: connection refused (is the server running?)"
    if isinstance(reason, socket.gaierror):
        return f"cannot reach {where}: unknown host"
    detail = getattr(reason, "strerror", None) or str(reason)
    return f"cannot reach {where}: {detail}"


# ---------------------------------------------------------------- query (SPARQLWrapper)


def _term(binding: dict) -> Node:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(value, datatype=URIRef(binding["datatype"]))
    return Literal(value)


class RemoteStore:
    """A SPARQL 1.1 query endpoint, queried with SPARQLWrapper (POST, content negotiation only).

    Credentials come as ``user``/``password`` or in the URL (``http://user:pass@host/sparql``);
    either way they are sent as HTTP Basic auth and kept out of messages and ``repr``.
    """

    name = "remote"

    def __init__(
        self, endpoint: str, *, timeout: float = 30.0, user: str | None = None, password: str | None = None
    ):
        url, url_user, url_password = split_credentials(endpoint)
        self.endpoint = url
        self.timeout = timeout
        self.user = user if user is not None else url_user
        self._password = password if password is not None else url_password
        self._secrets = _secrets(self.user, self._password)

    def __repr__(self) -> str:
        auth = ", with credentials" if self.user is not None else ""
        return f"RemoteStore({self.endpoint!r}, timeout={self.timeout:g}{auth})"

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(result.rows[0][0]) if result.rows else 0

    def count(self, graph: str | None = None) -> int:
        """Triples in one named graph (or in the default graph)."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(result.rows[0][0]) if result.rows and result.rows[0][0] is not None else 0

    def _fail(self, message: str) -> RemoteError:
        return RemoteError(self._secrets.scrub(message))

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        from .serve.protocol import query_form

        text = inline_bindings(sparql, bindings)
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setOnlyConneg(True)
        client.setTimeout(max(1, int(round(self.timeout))))
        if self.user is not None:
            client.setCredentials(self.user, self._password or "")
        client.setQuery(text)
        form = query_form(text)
        if form == "UPDATE":
            raise RemoteError("opsi-kg only reads from remote endpoints: this is a SPARQL Update")
        if form is not None:  # SPARQLWrapper's guess is wrong for some queries; ours skips names and comments
            client.queryType = form
        graph_query = client.queryType in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(TURTLE if graph_query else JSON)
        where = self.endpoint
        try:
            response = client.query()
            raw = response.response.read()
        except SPARQLWrapperException as exc:
            status = _WRAPPER_STATUS.get(type(exc).__name__, 0)
            if status:
                raise self._fail(_http_message(where, status, None, _wrapper_body(exc))) from None
            raise self._fail(f"{where} answered with an error: {_snippet(str(exc))}") from None
        except urllib.error.HTTPError as exc:
            raise self._fail(_http_message(where, exc.code, exc.reason, _read(exc))) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise self._fail(_network_message(where, exc, self.timeout)) from None
        if graph_query:
            graph = Graph()
            try:
                graph.parse(data=raw, format="turtle")
            except Exception as exc:
                raise self._fail(f"{where} sent a graph that is not Turtle: {_snippet(str(exc))}") from None
            return QueryResult(graph=graph)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise self._fail(f"{where} did not send SPARQL JSON results: {_snippet(raw, 120)}") from None
        if "boolean" in doc:
            return QueryResult(boolean=bool(doc["boolean"]))
        names = doc.get("head", {}).get("vars", [])
        rows = [
            tuple(_term(b[n]) if n in b else None for n in names) for b in doc.get("results", {}).get("bindings", [])
        ]
        return QueryResult(names, rows)

    select = query


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(4096)
    except Exception:
        return b""


# ---------------------------------------------------------------- push (Graph Store HTTP Protocol)

_GSP_HINT = (
    " (is this the Graph Store Protocol URL? Oxigraph: http://HOST/store, Fuseki: http://HOST/DATASET/data, "
    "GraphDB: http://HOST/repositories/REPO/rdf-graphs/service)"
)
_RDF_PARSERS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


@dataclass(frozen=True)
class PushedGraph:
    """One graph pushed: its IRI, the local triple count and the count the store reports after."""

    graph: str
    local: int
    remote: int

    @property
    def ok(self) -> bool:
        return self.local == self.remote


class GraphStore:
    """A SPARQL 1.1 Graph Store HTTP Protocol endpoint (``?graph=IRI`` addressing).

    >>> GraphStore("http://bob:pw@127.0.0.1:7878/store").graph_url("http://ex/g")
    'http://127.0.0.1:7878/store?graph=http%3A%2F%2Fex%2Fg'
    """

    def __init__(
        self, url: str, *, timeout: float = 60.0, user: str | None = None, password: str | None = None
    ):
        clean, url_user, url_password = split_credentials(url)
        self.url = clean
        self.timeout = timeout
        self.user = user if user is not None else url_user
        self._password = password if password is not None else url_password
        self._secrets = _secrets(self.user, self._password)
        # only our own handler: never send credentials on to where a redirect points
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        auth = ", with credentials" if self.user is not None else ""
        return f"GraphStore({self.url!r}{auth})"

    def graph_url(self, graph: str | None) -> str:
        if graph is None:
            sep = "&" if "?" in self.url else "?"
            return f"{self.url}{sep}default"
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def _request(
        self, method: str, url: str, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        request = urllib.request.Request(url, data=data, method=method)
        for k, v in {**(headers or {}), **_auth_header(self.user, self._password)}.items():
            request.add_header(k, v)
        graph = _graph_param(url)
        where = f"{self.url} ({method} {'graph ' + graph if graph else 'default graph'})"
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            if method == "GET" and exc.code == 404:
                return 404, "", b""
            hint = _GSP_HINT if exc.code in (404, 405, 415) else ""
            message = _http_message(where, exc.code, exc.reason, _read(exc), hint)
            raise RemoteError(self._secrets.scrub(message)) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RemoteError(self._secrets.scrub(_network_message(where, exc, self.timeout))) from None

    def put(self, graph: str, content: Graph) -> None:
        """Replace ``graph`` on the store with ``content``, in one request.

        The body is N-Triples, which is also valid Turtle, sent as ``text/turtle``, the type every
        Graph Store implementation accepts.
        """
        body = content.serialize(format="nt", encoding="utf-8")
        self._request("PUT", self.graph_url(graph), body, {"Content-Type": "text/turtle; charset=utf-8"})

    def get(self, graph: str) -> Graph:
        """The graph as the store holds it (empty when the store does not know it)."""
        status, content_type, body = self._request(
            "GET", self.graph_url(graph), headers={"Accept": "application/n-triples, text/turtle;q=0.9"}
        )
        out = Graph()
        if status == 404 or not body.strip():
            return out
        media = content_type.split(";", 1)[0].strip().lower()
        fmt = _RDF_PARSERS.get(media, "turtle")
        try:
            out.parse(data=body, format=fmt)
        except Exception as exc:
            raise RemoteError(f"{self.url} sent graph {graph} in a form that does not parse as {media or fmt}: "
                              f"{_snippet(str(exc), 160)}") from None
        return out

    def count(self, graph: str) -> int:
        return len(self.get(graph))


def _graph_param(url: str) -> str | None:
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("graph")
    return values[0] if values else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 - urllib's hook
        return None  # a redirect becomes an HTTPError the caller reports


def push(
    store: GraphStore,
    graphs: Mapping[URIRef | str, Graph],
    *,
    counter: Callable[[str], int] | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> list[PushedGraph]:
    """PUT every graph of ``graphs`` (IRI -> graph) to ``store``, then read back each graph's size.

    ``counter`` counts the triples of a graph on the store (for example :meth:`RemoteStore.count`
    on the store's query endpoint); by default the graph is read back with the Graph Store
    Protocol itself. Raises :class:`RemoteError` when a request fails; a count that differs is
    returned, not raised, so the caller can report every graph.
    """
    names = [str(name) for name in graphs]
    for name, graph in zip(names, graphs.values(), strict=True):
        progress(f"PUT {len(graph)} triples into {name}")
        store.put(name, graph)
    count = counter or store.count
    out = []
    for name, graph in zip(names, graphs.values(), strict=True):
        out.append(PushedGraph(name, len(graph), count(name)))
    return out


def check_endpoint_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; raises :class:`ValueError` otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{_redact(url)} is not an http:// or https:// URL")
    return url


__all__ = [
    "GraphStore",
    "PushedGraph",
    "RemoteError",
    "RemoteStore",
    "check_endpoint_url",
    "push",
    "split_credentials",
]
