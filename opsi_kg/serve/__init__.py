"""Serving the graph over HTTP: a SPARQL 1.1 endpoint, linked-data pages and the saved-query API.

The web stack (Starlette, uvicorn) is imported only when a server is made, so the rest of the
package works without it. :func:`serve` runs a server until it is stopped; :func:`create_app`
makes the ASGI application for any other ASGI server.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rdflib import Dataset, Graph, URIRef


class ServeUnavailable(RuntimeError):
    """The web stack (starlette, uvicorn) is not installed."""


def _require() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ServeUnavailable(
            f"serving needs {exc.name}: install it with  pip install starlette uvicorn"
        ) from None


def create_app(graphs: Mapping[URIRef, Graph], config=None):
    """The ASGI application serving ``graphs`` (see :class:`opsi_kg.serve.app.ServeConfig`)."""
    _require()
    from .app import create_app as make

    return make(graphs, config)


def config(**options):
    """A :class:`~opsi_kg.serve.app.ServeConfig` with ``options`` changed from the defaults."""
    _require()
    from .app import ServeConfig

    return ServeConfig(**options)


def serve(
    graphs: Mapping[URIRef, Graph],
    config=None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = True,
    log_level: str = "info",
) -> None:
    """Serve ``graphs`` with uvicorn until interrupted (Ctrl-C or SIGTERM stop it cleanly)."""
    _require()
    import uvicorn

    app = create_app(graphs, config)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=access_log,
        log_level=log_level,
        limit_concurrency=512,
        timeout_graceful_shutdown=5,
    )


DUMP_FORMATS = {".trig": "trig", ".nq": "nquads"}


def load_dump(path: Path | str) -> dict[URIRef, Graph]:
    """The named graphs of a TriG or N-Quads dump (for example ``dist/opsi-kg.trig``)."""
    path = Path(path)
    dataset = Dataset()
    dataset.parse(path, format=DUMP_FORMATS[path.suffix.lower()])
    from ..namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH

    found = {}
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier or not len(graph):
            continue
        copy = Graph()
        for triple in graph:
            copy.add(triple)
        found[URIRef(str(graph.identifier))] = copy
    order = [ASSERTED_GRAPH, INFERRED_GRAPH, VOCAB_GRAPH]
    return {name: found[name] for name in sorted(found, key=lambda n: (order.index(n) if n in order else 3, n))}


__all__ = ["DUMP_FORMATS", "ServeUnavailable", "config", "create_app", "load_dump", "serve"]
