"""The HTTP server: a Starlette application, served by uvicorn.

Routes (the OpenAPI document at ``/openapi.json`` describes them):

* ``/``: the home page, the saved-query catalogue and a SPARQL form;
* ``/sparql``: the SPARQL 1.1 Protocol, query operation only (GET, POST form, POST body); the
  service description when no query is given;
* ``/api/queries`` and ``/api/queries/NAME?param=value``: the saved queries as an API;
* ``/id/...``: every resource of the graph, with content negotiation (HTML, Turtle, N-Triples,
  JSON-LD, RDF/XML; or the suffixes ``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``).

Queries run in worker processes under a hard time limit (:mod:`opsi_kg.serve.worker`); resource
descriptions and pages, bounded by one subject, are read from the web process's own store.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import anyio.to_thread
from rdflib import Graph, URIRef
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import __version__
from ..export import jsonld, ntriples, turtle
from ..namespaces import DEFAULT_BASE, PREFIXES
from ..queries import ParamError, bindings_for, catalogue
from ..store import OxigraphStore, inline_bindings
from . import html
from .formats import GRAPH_FORMATS, HTML, TABLE_FORMATS, Format, by_name, by_suffix, negotiate
from .linked_data import Resources
from .protocol import ProtocolError, read_request, service_description
from .worker import QueryFailed, QueryJob, QueryPool, check_format_name

EXAMPLE_QUERY = """SELECT ?case ?title ?country WHERE {
  ?case a opsi:Case ;
        dct:title ?title ;
        opsi:addressesTheme theme:citizen-participation ;
        opsi:country ?country .
}
ORDER BY ?title
LIMIT 20
"""


@dataclass(frozen=True)
class ServeConfig:
    """What the server serves and its limits.

    ``timeout``: seconds a query may run; ``max_rows``: rows (or triples) an answer may have;
    ``max_request_bytes``: size of a request body or query string; ``workers``: queries run at once.
    """

    base: str = DEFAULT_BASE
    prefix: str = "/id/"
    timeout: float = 10.0
    max_rows: int = 10_000
    max_request_bytes: int = 128 * 1024
    workers: int = 2
    queries_dir: Path | None = None

    def describe_limits(self) -> str:
        return (
            f"Limits: {self.timeout:g} s per query, {self.max_rows} rows per answer, "
            f"{self.max_request_bytes} bytes per request, {self.workers} queries at once."
        )


class Service:
    """The state behind the routes: the store, the resources, the saved queries and the workers."""

    def __init__(self, graphs: Mapping[URIRef, Graph], config: ServeConfig):
        self.config = config
        self.store = OxigraphStore(graphs)
        store = self.store.store
        self.graph_sizes = {str(name): len(graph) for name, graph in graphs.items()}
        union = store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )
        self.union_size = int(next(iter(union))["n"].value)
        self.resources = Resources(store, config.base, config.prefix)
        self.queries = catalogue(config.queries_dir)
        self.pool = QueryPool(store, size=config.workers, timeout=config.timeout, prefixes=PREFIXES)

    def link(self, iri: str) -> str | None:
        """Where a page links an IRI: its page here when it has one, else the IRI itself (http/s)."""
        here = self.resources.path_for(iri)
        if here is not None:
            return here
        return iri if iri.startswith(("http://", "https://")) else None

    def resource_page(self, iri: str, path: str, alternates: dict[str, str]) -> str:
        """The resource's HTML page, by the static site's renderer over the in-process store."""
        from ..publish import render_resource_page
        from ..publish.pages import StoreSource

        return render_resource_page(
            StoreSource(self.store),
            iri,
            link=self.link,
            frame=html.frame(),
            current=path.lstrip("/"),
            alternates=alternates,
            canonical=iri,
        )


# ---------------------------------------------------------------- responses

_SECURITY = {"X-Content-Type-Options": "nosniff"}
_HTML_HEADERS = {
    **_SECURITY,
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}
_ERROR_FORMATS = (
    Format("text", "text/plain"),
    Format("json", "application/json", ("application/sparql-results+json",)),
    HTML,
)


def _page(body: str, status: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**_HTML_HEADERS, **(headers or {})})


def error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None,
          prefer_json: bool = False) -> Response:
    """An error in the form the client reads best: text (SPARQL clients), JSON (API) or HTML."""
    formats = (_ERROR_FORMATS[1], _ERROR_FORMATS[0], HTML) if prefer_json else _ERROR_FORMATS
    fmt = negotiate(formats, request.headers.get("accept")) or formats[0]
    extra = {**_SECURITY, **(headers or {})}
    if fmt is HTML:
        return _page(html.render_error(status, message), status, headers)
    if fmt.name == "json":
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=extra)
    return PlainTextResponse(message + "\n", status_code=status, headers=extra)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request is larger than this server's limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request is larger than this server's limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- routes


async def home(request: Request) -> Response:
    svc: Service = request.app.state.service
    body = html.render_home(svc.queries.values(), svc.graph_sizes, EXAMPLE_QUERY, svc.config.describe_limits())
    return _page(body)


async def sparql(request: Request) -> Response:
    svc: Service = request.app.state.service
    limit = svc.config.max_request_bytes
    query_string = request.scope.get("query_string", b"")
    if len(query_string) > limit:
        return error(request, 414, f"the query string is longer than this server's limit of {limit} bytes; "
                                   "POST the query instead")
    try:
        body = await _body(request, limit) if request.method == "POST" else b""
        asked = read_request(
            "GET" if request.method in ("GET", "HEAD") else "POST",
            query_string.decode("latin-1"),
            request.headers.get("content-type"),
            body,
        )
        check_format_name(asked.format)
    except ProtocolError as exc:
        return error(request, exc.status, exc.message)
    except QueryFailed as exc:
        return error(request, exc.status, exc.message)
    if asked.query is None:
        if request.method == "POST":
            return error(request, 400, "the request has no query")
        return _service_description(request, svc, asked.format)
    job = QueryJob(
        asked.query,
        accept=request.headers.get("accept"),
        format=asked.format,
        max_rows=svc.config.max_rows,
        default_graphs=asked.default_graphs,
        named_graphs=asked.named_graphs,
    )
    try:
        answer = await svc.pool.run(job)
    except QueryFailed as exc:
        return error(request, exc.status, exc.message, exc.headers)
    if answer.html:
        page = html.render_results("Query results", json.loads(answer.body), svc.link,
                                   intro=f"<pre>{escape(asked.query)}</pre>")
        return _page(page, headers={"Vary": "Accept"})
    return Response(answer.body, media_type=answer.content_type, headers={**_SECURITY, "Vary": "Accept"})


def _service_description(request: Request, svc: Service, name: str | None) -> Response:
    fmt = by_name(GRAPH_FORMATS, name) if name else negotiate(GRAPH_FORMATS, request.headers.get("accept"))
    if fmt is None:
        return error(request, 406, "the service description is offered as "
                                   + ", ".join(f.media_type for f in GRAPH_FORMATS))
    if fmt is HTML:
        return _endpoint_page(request, svc)
    endpoint = str(request.url.replace(query=""))
    graph = service_description(endpoint, svc.graph_sizes, svc.union_size, "opsi-kg SPARQL endpoint")
    rdflib_format = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    body = graph.serialize(format=rdflib_format, encoding="utf-8")
    return Response(body, media_type=fmt.content_type, headers={**_SECURITY, "Vary": "Accept"})


def _endpoint_page(request: Request, svc: Service) -> Response:
    body = html.layout(
        "SPARQL endpoint",
        "<p>This is a read-only SPARQL 1.1 endpoint. Send a query with GET "
        "(<code>?query=...</code>) or POST (a form, or the query as <code>application/sparql-query</code>). "
        'Machines asking for RDF get the <a href="/sparql?format=turtle">service description</a>.</p>'
        + html.sparql_form(EXAMPLE_QUERY)
        + f'<p class="muted">{escape(svc.config.describe_limits())}</p>',
        "sparql",
    )
    return _page(body, headers={"Vary": "Accept"})


def _graph_body(graph: Graph, fmt: Format, base: str) -> bytes:
    if fmt.name == "turtle":
        return turtle(graph, base).encode("utf-8")
    if fmt.name == "nt":
        return ntriples(graph).encode("utf-8")
    if fmt.name == "jsonld":
        return jsonld(graph, base).encode("utf-8")
    if fmt.name == "rdfxml":
        return graph.serialize(format="xml", encoding="utf-8")
    raise KeyError(fmt.name)


async def style(request: Request) -> Response:
    return Response(html.stylesheet(), media_type="text/css; charset=utf-8",
                    headers={**_SECURITY, "Cache-Control": "public, max-age=3600"})


async def list_queries(request: Request) -> Response:
    svc: Service = request.app.state.service
    items = []
    for q in svc.queries.values():
        items.append(
            {
                "name": q.name,
                "title": q.title,
                "summary": q.summary,
                "tags": q.tags,
                "qc": q.is_qc,
                "url": f"/api/queries/{q.name}",
                "parameters": [
                    {"name": p.name, "kind": p.kind, "default": p.default, "description": p.doc} for p in q.params
                ],
            }
        )
    return JSONResponse({"queries": items}, headers=_SECURITY)


_API_FORMATS = (TABLE_FORMATS[0], TABLE_FORMATS[2], HTML)  # SPARQL JSON, CSV, HTML


async def run_query(request: Request) -> Response:
    svc: Service = request.app.state.service
    name = request.path_params["name"]
    q = svc.queries.get(name)
    if q is None:
        close = difflib.get_close_matches(name, list(svc.queries), n=1)
        hint = f": did you mean {close[0]}?" if close else " (see /api/queries)"
        return error(request, 404, f"no saved query {name!r}{hint}", prefer_json=True)
    given = dict(request.query_params)
    fmt_name = None if any(p.name == "format" for p in q.params) else given.pop("format", None)
    if fmt_name:
        fmt = by_name(_API_FORMATS, fmt_name)
        if fmt is None:
            return error(request, 400, f"unknown format {fmt_name!r}: choose json, csv or html", prefer_json=True)
    else:
        fmt = negotiate(_API_FORMATS, request.headers.get("accept"))
        if fmt is None:
            return error(request, 406, "saved queries answer as application/sparql-results+json, text/csv or "
                                       "text/html", prefer_json=True)
    warnings: list[str] = []
    try:
        bindings = bindings_for(q, given, svc.config.base, warnings)
        text = inline_bindings(q.sparql(), bindings)
    except (ParamError, ValueError) as exc:
        return error(request, 400, str(exc).replace("--param ", ""), prefer_json=True)
    job = QueryJob(text, format=fmt.name, max_rows=svc.config.max_rows)
    try:
        answer = await svc.pool.run(job)
    except QueryFailed as exc:
        return error(request, exc.status, exc.message, exc.headers, prefer_json=True)
    headers = {**_SECURITY, "Vary": "Accept"}
    if warnings:
        headers["OPSI-KG-Warning"] = " | ".join(w.encode("ascii", "replace").decode() for w in warnings)
    if answer.html:
        query = {k: v for k, v in request.query_params.items() if k != "format"}
        downloads = [(label, f"/api/queries/{q.name}?" + urlencode({**query, "format": f}))
                     for label, f in (("JSON", "json"), ("CSV", "csv"))]
        intro = f"<p>{escape(q.summary)}</p>" + "".join(f'<p class="muted">{escape(w)}</p>' for w in warnings)
        page = html.render_results(q.title or q.name, json.loads(answer.body), svc.link, intro=intro,
                                   downloads=downloads)
        return _page(page, headers=headers)
    return Response(answer.body, media_type=answer.content_type, headers=headers)


async def openapi(request: Request) -> Response:
    from .openapi import openapi_document

    svc: Service = request.app.state.service
    return JSONResponse(openapi_document(svc.queries.values(), version=__version__), headers=_SECURITY)


async def resource(request: Request) -> Response:
    svc: Service = request.app.state.service
    rest = request.path_params["rest"]
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    raw_rest = raw[len(svc.resources.prefix):] if raw.startswith(svc.resources.prefix) else rest
    fmt: Format | None = None
    suffixed = False
    iri = await anyio.to_thread.run_sync(_find, svc, (raw_rest, rest))
    if iri is None:
        for candidate in GRAPH_FORMATS:
            if candidate.suffix and rest.endswith(candidate.suffix):
                stem = rest[: -len(candidate.suffix)]
                raw_stem = raw_rest[: -len(candidate.suffix)] if raw_rest.endswith(candidate.suffix) else stem
                iri = await anyio.to_thread.run_sync(_find, svc, (raw_stem, stem))
                fmt, suffixed = by_suffix(GRAPH_FORMATS, candidate.suffix), True
                break
    if iri is None:
        return error(request, 404, f"nothing is known about {svc.config.base}{rest}")
    if fmt is None:
        fmt = negotiate(GRAPH_FORMATS, request.headers.get("accept"))
        if fmt is None:
            return error(request, 406, "resources are offered as " + ", ".join(f.media_type for f in GRAPH_FORMATS))
    path = svc.resources.path_for(iri) or request.url.path
    headers = {
        "Content-Location": path + (fmt.suffix or ""),
        "Link": ", ".join(f'<{path}{f.suffix}>; rel="alternate"; type="{f.media_type}"'
                          for f in GRAPH_FORMATS if f.suffix),
    }
    if not suffixed:
        headers["Vary"] = "Accept"
    if fmt is HTML:
        machine = {f.media_type: path + f.suffix for f in GRAPH_FORMATS if f.suffix and f is not HTML}
        page = await anyio.to_thread.run_sync(svc.resource_page, iri, path, machine)
        return _page(page, headers=headers)
    graph = await anyio.to_thread.run_sync(svc.resources.describe, iri)
    body = await anyio.to_thread.run_sync(_graph_body, graph, fmt, svc.config.base)
    return Response(body, media_type=fmt.content_type, headers={**_SECURITY, **headers})


def _find(svc: Service, candidates: tuple[str, ...]) -> str | None:
    for rest in dict.fromkeys(candidates):
        if rest:
            iri = svc.resources.find(rest)
            if iri is not None:
                return iri
    return None


# ---------------------------------------------------------------- the application


def create_app(graphs: Mapping[URIRef, Graph], config: ServeConfig | None = None) -> Starlette:
    """The application serving ``graphs`` (named graph IRI -> graph).

    The worker processes start when the application starts (its lifespan) and stop with it.
    """
    config = config or ServeConfig()
    service = Service(graphs, config)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await anyio.to_thread.run_sync(service.pool.start)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(service.pool.close)

    prefix = service.resources.prefix
    routes = [
        Route("/", home, methods=["GET"]),
        Route("/index.html", home, methods=["GET"]),
        Route(html.STYLESHEET_PATH, style, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api/queries", list_queries, methods=["GET"]),
        Route("/api/queries/{name}", run_query, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route(prefix + "{rest:path}", resource, methods=["GET"]),
    ]
    middleware = [
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                   expose_headers=["OPSI-KG-Warning", "Content-Location", "Link"]),
        Middleware(GZipMiddleware, minimum_size=4096),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.service = service
    return app
