"""The OpenAPI 3.1 document of the server's routes, with one path per saved query.

>>> from opsi_kg.queries import parse_query_text
>>> q = parse_query_text("by-theme", "# title: T\\n# param: theme (theme, default x): the theme\\nSELECT * {}")
>>> doc = openapi_document([q], version="0")
>>> [p.get("name", p.get("$ref")) for p in doc["paths"]["/api/queries/by-theme"]["get"]["parameters"]]
['theme', '#/components/parameters/resultFormat']
"""

from __future__ import annotations

from collections.abc import Iterable

from .formats import GRAPH_FORMATS, TABLE_FORMATS

_ERROR = {"description": "an error, with a message", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Error"}}}}

_KIND_SCHEMA = {
    "integer": {"type": "integer"},
    "year": {"type": "integer", "minimum": 1900},
    "iri": {"type": "string", "format": "iri"},
}


def _param_schema(param) -> dict:
    schema = dict(_KIND_SCHEMA.get(param.kind, {"type": "string"}))
    if param.default is not None:
        schema["default"] = int(param.default) if schema["type"] == "integer" else param.default
    return schema


def _saved_query_path(q) -> dict:
    params = [
        {
            "name": p.name,
            "in": "query",
            "required": p.default is None,
            "description": f"{p.doc} ({p.kind})".strip(),
            "schema": _param_schema(p),
        }
        for p in q.params
    ]
    params.append({"$ref": "#/components/parameters/resultFormat"})
    return {
        "get": {
            "operationId": "query_" + q.name.replace("-", "_"),
            "summary": q.title or q.name,
            "description": q.summary,
            "tags": ["saved queries"] + (["quality checks"] if q.is_qc else []),
            "parameters": params,
            "responses": {
                "200": {"$ref": "#/components/responses/Table"},
                "400": _ERROR,
                "503": _ERROR,
            },
        }
    }


def openapi_document(queries: Iterable, *, version: str, title: str = "opsi-kg") -> dict:
    queries = list(queries)
    sparql_params = [
        {"name": "query", "in": "query", "description": "a SPARQL 1.1 query; without it, the service description",
         "schema": {"type": "string"}},
        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True},
        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True},
        {"name": "format", "in": "query", "description": "answer format by name, instead of the Accept header",
         "schema": {"type": "string", "enum": sorted({f.name for f in TABLE_FORMATS + GRAPH_FORMATS})}},
    ]
    results = {f.media_type: {} for f in TABLE_FORMATS + GRAPH_FORMATS}
    paths: dict = {
        "/sparql": {
            "get": {
                "operationId": "sparql_get",
                "summary": "SPARQL 1.1 query (or the service description without a query)",
                "tags": ["SPARQL"],
                "parameters": sparql_params,
                "responses": {
                    "200": {"description": "results, a graph, or the service description", "content": results},
                    "400": _ERROR, "403": _ERROR, "406": _ERROR, "422": _ERROR, "503": _ERROR,
                },
            },
            "post": {
                "operationId": "sparql_post",
                "summary": "SPARQL 1.1 query by POST, as a form or as the body",
                "tags": ["SPARQL"],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"],
                                                                     "properties": {"query": {"type": "string"}}}},
                    "application/sparql-query": {"schema": {"type": "string"}},
                }},
                "responses": {
                    "200": {"description": "results or a graph", "content": results},
                    "400": _ERROR, "403": _ERROR, "406": _ERROR, "413": _ERROR, "415": _ERROR, "422": _ERROR,
                    "503": _ERROR,
                },
            },
        },
        "/api/queries": {
            "get": {
                "operationId": "list_queries",
                "summary": "the saved queries, with their parameters",
                "tags": ["saved queries"],
                "responses": {"200": {"description": "the catalogue", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Catalogue"}}}}},
            }
        },
        "/id/{path}": {
            "get": {
                "operationId": "resource",
                "summary": "a resource of the graph (case/..., actor/..., theme/..., region/...)",
                "description": "Content negotiation: HTML, Turtle, N-Triples, JSON-LD, RDF/XML; or a suffix "
                "(.html, .ttl, .nt, .jsonld, .rdf).",
                "tags": ["linked data"],
                "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
                                "example": "case/my-france-2022"}],
                "responses": {"200": {"description": "the resource's description", "content": {
                    f.media_type: {} for f in GRAPH_FORMATS}}, "404": {"description": "no such resource"},
                    "406": _ERROR},
            }
        },
    }
    for q in queries:
        paths[f"/api/queries/{q.name}"] = _saved_query_path(q)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} SPARQL endpoint and saved-query API",
            "version": version,
            "description": "A read-only SPARQL 1.1 endpoint over the opsi-kg knowledge graph, its saved queries "
            "as an API, and its resources as linked data.",
        },
        "paths": paths,
        "components": {
            "parameters": {
                "resultFormat": {"name": "format", "in": "query", "description": "json (SPARQL JSON), csv or html; "
                                 "default by Accept, else json", "schema": {"type": "string",
                                                                             "enum": ["json", "csv", "html"]}},
            },
            "responses": {
                "Table": {"description": "the rows", "content": {
                    "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/Results"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                }},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "string"}, "status": {"type": "integer"}}},
                "Results": {"type": "object", "description": "SPARQL 1.1 Query Results JSON", "properties": {
                    "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
                    "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {
                        "type": "object"}}}},
                    "boolean": {"type": "boolean"}}},
                "Catalogue": {"type": "object", "properties": {"queries": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "name": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "qc": {"type": "boolean"},
                        "url": {"type": "string"},
                        "parameters": {"type": "array", "items": {"type": "object"}}}}}}},
            },
        },
    }
