"""Remote SPARQL 1.1 stores: query through SPARQLWrapper, push through the Graph Store Protocol.

SPARQLWrapper is imported here and nowhere else. Errors say which endpoint failed and why,
without credentials.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .store import QueryError, QueryResult, inline_bindings


class RemoteError(QueryError):
    """The remote endpoint is down, slow, refused the request or answered with an error."""


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        parts = parts._replace(netloc=host)
    return urllib.parse.urlunsplit(parts)


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
    """A SPARQL 1.1 endpoint queried with SPARQLWrapper."""

    name = "remote"

    def __init__(self, endpoint: str, *, timeout: float = 30.0, user: str | None = None, password: str | None = None):
        self.endpoint = endpoint
        self.timeout = timeout
        self.user = user
        self.password = password

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(result.rows[0][0]) if result.rows else 0

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        text = inline_bindings(sparql, bindings)
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(max(1, self.timeout)))
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
        client.setQuery(text)
        kind = client.queryType
        graph_query = kind in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(TURTLE if graph_query else JSON)
        where = _redact(self.endpoint)
        try:
            response = client.query()
            raw = response.response.read()
        except SPARQLWrapperException as exc:
            msg = str(exc).split("\n")[0]
            raise RemoteError(f"{where} answered with an error: {msg}") from None
        except urllib.error.HTTPError as exc:
            raise RemoteError(f"{where} answered HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise RemoteError(f"{where} did not answer within {self.timeout:g} s") from None
            raise RemoteError(f"cannot reach {where}: {reason}") from None
        except TimeoutError:
            raise RemoteError(f"{where} did not answer within {self.timeout:g} s") from None
        except OSError as exc:
            raise RemoteError(f"cannot reach {where}: {exc}") from None
        if graph_query:
            graph = Graph()
            try:
                graph.parse(data=raw, format="turtle")
            except Exception as exc:
                raise RemoteError(f"{where} sent a graph that is not Turtle: {exc}") from None
            return QueryResult(graph=graph)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise RemoteError(f"{where} did not send SPARQL JSON results") from None
        if "boolean" in doc:
            return QueryResult(boolean=bool(doc["boolean"]))
        names = doc.get("head", {}).get("vars", [])
        rows = [
            tuple(_term(b[n]) if n in b else None for n in names) for b in doc.get("results", {}).get("bindings", [])
        ]
        return QueryResult(names, rows)

    select = query


def _auth_header(user: str | None, password: str | None) -> dict[str, str]:
    if user is None:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}
