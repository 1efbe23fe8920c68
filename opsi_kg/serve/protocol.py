"""The SPARQL 1.1 Protocol's query operation, read from an HTTP request; and its service description.

Only queries are served. An update (a ``update=`` form field, an ``application/sparql-update``
body, or query text starting with an update keyword) is refused with 403, and so is a federated
query (``SERVICE``): the server never fetches other URLs on a client's behalf.

>>> looks_like_update("PREFIX ex: <http://ex/> # a comment\\n INSERT DATA { ex:a ex:b ex:c }")
True
>>> looks_like_update("SELECT ('INSERT' AS ?x) {}")
False
>>> uses_service("SELECT * { SERVICE <http://ex/sparql> { ?s ?p ?o } }")
True
>>> uses_service("SELECT ?service { ?service ex:SERVICE 'SERVICE' }")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD, Namespace

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.DOTALL,
)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:-])", re.IGNORECASE)


def _code(text: str) -> str:
    """The query with strings, IRIs and comments blanked out, leaving keywords and names."""
    return _NOISE.sub(" ", text)


def query_form(text: str) -> str | None:
    """The form of a SPARQL request: SELECT, CONSTRUCT, DESCRIBE, ASK, UPDATE, or None if unclear.

    Read from the first keyword after the prologue, with strings, IRIs and comments blanked out
    (SPARQLWrapper's own guess takes ``opsi:addressesTheme`` for an ADD).

    >>> query_form("# all the cases\\nPREFIX opsi: <x:> SELECT ?c { ?c opsi:addressesTheme ?t }")
    'SELECT'
    """
    for token in _code(text).split():
        word = token.upper()
        if word in ("BASE", "PREFIX") or token.endswith(":"):
            continue
        m = re.match(r"[A-Z]+", word)
        if m and m.group(0) in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            return m.group(0)
        if m and m.group(0) in _UPDATE_WORDS:
            return "UPDATE"
        return None
    return None


def looks_like_update(text: str) -> bool:
    """True when the first keyword after the prologue (BASE, PREFIX) starts a SPARQL Update."""
    return query_form(text) == "UPDATE"


def uses_service(text: str) -> bool:
    """True when the query has a SERVICE clause (a federated query)."""
    return _SERVICE.search(_code(text)) is not None


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    """What a protocol request asks: the query (None: describe the service) and its dataset."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"give the {name!r} parameter once, not {len(values)} times")
    return values[0] if values else None


def _format(params: dict[str, list[str]]) -> str | None:
    """``format`` (or Fuseki's ``output``): the first value naming a format. SPARQLWrapper sends
    both a name and a media type (``format=tsv&format=text/tab-separated-values``)."""
    from .formats import GRAPH_FORMATS, TABLE_FORMATS, by_name

    values = params.get("format") or params.get("output") or []
    for value in values:
        if by_name(TABLE_FORMATS, value) or by_name(GRAPH_FORMATS, value):
            return value
    return values[0] if values else None


def read_request(method: str, query_string: str, content_type: str | None, body: bytes) -> QueryRequest:
    """Turn a GET or POST into a :class:`QueryRequest`; raises :class:`ProtocolError`.

    >>> read_request("GET", "query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fex%2Fg", None, b"")
    QueryRequest(query='ASK{}', default_graphs=('http://ex/g',), named_graphs=(), format=None)
    >>> read_request("POST", "", "application/sparql-update", b"DROP ALL").status
    Traceback (most recent call last):
    ...
    opsi_kg.serve.protocol.ProtocolError: this endpoint is read-only: SPARQL Update is not accepted
    """
    url_params = parse_qs(query_string, keep_blank_values=True)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if method == "GET":
        params = url_params
        query = _one(params, "query")
    elif media == FORM:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the form is not UTF-8") from None
        params = parse_qs(text, keep_blank_values=True)
        for key, values in url_params.items():  # format may ride on the URL
            params.setdefault(key, values)
        if "update" in params:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
        query = _one(params, "query")
        if query is None:
            raise ProtocolError(400, "the form has no 'query' field")
    elif media == DIRECT:
        params = url_params
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the query is not UTF-8") from None
    elif media == UPDATE:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    else:
        raise ProtocolError(
            415, f"POST a query as {FORM} (query=...) or as {DIRECT}, not {media or 'without a Content-Type'}"
        )
    if "update" in params and method == "GET":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if query is not None:
        if not query.strip():
            raise ProtocolError(400, "the query is empty")
        if looks_like_update(query):
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if uses_service(query):
            raise ProtocolError(403, "federated queries (SERVICE) are not run by this endpoint")
    return QueryRequest(
        query,
        tuple(params.get("default-graph-uri", [])),
        tuple(params.get("named-graph-uri", [])),
        _format(params),
    )


RESULT_FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON,
    "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV,
    "turtle": FORMATS.Turtle,
    "nt": FORMATS["N-Triples"],
    "jsonld": FORMATS["JSON-LD"],
    "rdfxml": FORMATS.RDF_XML,
}


def service_description(endpoint: str, graph_sizes: dict[str, int], union_size: int, title: str) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint``: what it speaks and holds."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dct", DCTERMS)
    g.bind("formats", FORMATS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal(title, lang="en")))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for iri in RESULT_FORMAT_IRIS.values():
        g.add((service, SD.resultFormat, iri))
    dataset, default = BNode("dataset"), BNode("default")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(union_size, datatype=XSD.integer)))
    for n, (name, size) in enumerate(sorted(graph_sizes.items())):
        named, graph = BNode(f"named{n}"), BNode(f"graph{n}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    return g
