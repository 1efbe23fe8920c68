"""Queries run in worker processes, each with its own copy of the store, under a hard time limit.

A query that runs past the time limit is stopped by killing its worker process (a thread cannot
be stopped, and pyoxigraph has no cancel), and a fresh worker takes its place, so a runaway query
costs one worker for at most the time limit and never hangs the server. A result larger than the
row limit is refused before a byte of it is written.

The process side (:func:`worker_main`, :func:`execute`) imports pyoxigraph and nothing of the web
stack; the server side is :class:`QueryPool`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .formats import GRAPH_FORMATS, HTML, TABLE_FORMATS, Format, by_name, choose, known_names
from .results import write_boolean, write_table


class QueryFailed(Exception):
    """A query the server will not or cannot answer: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class QueryJob:
    """One query for a worker: the text, how to answer it, and the dataset to run it on."""

    text: str
    accept: str | None = None
    format: str | None = None
    max_rows: int = 10_000
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class Answer:
    """A worker's answer: the body in the chosen format. ``html`` answers carry SPARQL JSON."""

    kind: str  # "table", "boolean" or "graph"
    format: str
    content_type: str
    body: bytes
    rows: int = 0
    html: bool = False
    vars: list[str] = field(default_factory=list)


_GRAPH_WRITERS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _pick(formats: tuple[Format, ...], job: QueryJob, what: str) -> Format:
    fmt = choose(formats, job.accept, job.format)
    if fmt is None:
        if job.format:
            raise QueryFailed(400, f"cannot answer {what} as {job.format!r}: choose one of {known_names(formats)}")
        raise QueryFailed(
            406,
            f"none of the accepted media types ({job.accept}) can carry {what}; "
            f"this endpoint offers {', '.join(f.media_type for f in formats)}",
        )
    return fmt


def execute(store: ox.Store, job: QueryJob, prefixes: Mapping[str, str] | None = None) -> Answer:
    """Run one query on ``store`` and write the answer; raises :class:`QueryFailed`.

    >>> store = ox.Store()
    >>> execute(store, QueryJob("ASK { ?s ?p ?o }")).body
    b'{"head": {}, "boolean": false}'
    >>> execute(store, QueryJob("SELECT ?x WHERE { ?x }"))
    Traceback (most recent call last):
    ...
    opsi_kg.serve.worker.QueryFailed: the query does not parse: error at 1:...: expected ...
    """
    options: dict = {"prefixes": dict(prefixes or {})}
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.text, **options)
    except (SyntaxError, ValueError) as exc:
        raise QueryFailed(400, f"the query does not parse: {exc}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = _pick(TABLE_FORMATS, job, "an ASK answer")
            target = "json" if fmt is HTML else fmt.name
            return Answer("boolean", fmt.name, fmt.content_type, write_boolean(target, bool(result)), 1, fmt is HTML)
        if isinstance(result, ox.QuerySolutions):
            fmt = _pick(TABLE_FORMATS, job, "SELECT results")
            names = [v.value for v in result.variables]
            variables = list(result.variables)
            rows = []
            for solution in result:
                if len(rows) >= job.max_rows:
                    raise _too_many(job.max_rows, "rows")
                rows.append(tuple(solution[v] for v in variables))
            target = "json" if fmt is HTML else fmt.name
            body = write_table(target, names, rows)
            return Answer("table", fmt.name, fmt.content_type, body, len(rows), fmt is HTML, names)
        fmt = _pick(GRAPH_FORMATS, job, "a graph (CONSTRUCT or DESCRIBE)")
        triples = []
        for triple in result:
            if len(triples) >= job.max_rows:
                raise _too_many(job.max_rows, "triples")
            triples.append(triple)
        if fmt is HTML:
            names = ["subject", "predicate", "object"]
            rows = [(t.subject, t.predicate, t.object) for t in triples]
            return Answer("graph", fmt.name, fmt.content_type, write_table("json", names, rows), len(rows), True, names)
        body = ox.serialize(triples, format=_GRAPH_WRITERS[fmt.name], prefixes=dict(prefixes or {}))
        return Answer("graph", fmt.name, fmt.content_type, body, len(triples))
    except QueryFailed:
        raise
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise QueryFailed(500, f"the query failed while running: {exc}") from None


def _too_many(limit: int, what: str) -> QueryFailed:
    return QueryFailed(
        422,
        f"the answer has more than {limit} {what}, this server's limit: "
        f"add LIMIT (with ORDER BY and OFFSET to page) or narrow the query",
    )


def check_format_name(name: str | None) -> None:
    """Refuse a ``?format=`` value no format answers to, before a worker is used."""
    if name and by_name(TABLE_FORMATS, name) is None and by_name(GRAPH_FORMATS, name) is None:
        names = sorted({f.name for f in TABLE_FORMATS + GRAPH_FORMATS})
        raise QueryFailed(400, f"unknown format {name!r}: choose one of {', '.join(names)}")


# ---------------------------------------------------------------- the worker process


def worker_main(conn, data_path: str, prefixes: dict[str, str]) -> None:  # pragma: no cover - runs in a child
    """Load the dataset, say ready, then answer jobs until the pipe closes."""
    store = ox.Store()
    store.bulk_load(path=data_path, format=ox.RdfFormat.N_QUADS)
    conn.send(("ready", len(store)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, job, prefixes)))
        except QueryFailed as exc:
            conn.send(("failed", exc.status, exc.message))
        except Exception as exc:  # never let one query take the worker down
            conn.send(("failed", 500, f"the query failed: {type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, ctx, data_path: str, prefixes: dict[str, str], start_timeout: float):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main, args=(child, data_path, prefixes), name="opsi-kg-query-worker", daemon=True
        )
        self.process.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.stop()
            raise RuntimeError(f"a query worker did not start within {start_timeout:g} s")
        try:
            self.conn.recv()
        except EOFError:
            self.stop()
            raise RuntimeError("a query worker died while loading the data") from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes; :meth:`run` hands a job to a free one.

    ``size`` queries run at once; more wait up to ``timeout`` seconds for a free worker, then get
    503. A query running longer than ``timeout`` seconds gets 503 and its worker is replaced.
    """

    def __init__(self, store: ox.Store, *, size: int = 2, timeout: float = 10.0,
                 prefixes: Mapping[str, str] | None = None, start_timeout: float = 120.0):
        self.size = max(1, size)
        self.timeout = timeout
        self.prefixes = dict(prefixes or {})
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._dir = tempfile.mkdtemp(prefix="opsi-kg-serve-")
        self._data = os.path.join(self._dir, "data.nq")
        store.dump(self._data, format=ox.RdfFormat.N_QUADS)
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self.restarts = 0

    def _spawn(self) -> _Worker:
        return _Worker(self._ctx, self._data, self.prefixes, self.start_timeout)

    def start(self) -> None:
        """Start the workers (blocking: each loads the data before it counts as started)."""
        for _ in range(self.size):
            self._workers.append(self._spawn())

    def _queue(self) -> asyncio.Queue:
        if self._idle is None:  # made on first use, inside the server's event loop
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        return self._idle

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = self._spawn()
        with self._lock:
            self._workers[self._workers.index(worker)] = fresh
            self.restarts += 1
        return fresh

    def _call(self, worker: _Worker, job: QueryJob) -> tuple[_Worker, tuple]:
        """In a thread: send the job and wait for the answer, killing the worker at the time limit."""
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                return worker, worker.conn.recv()
        except (EOFError, OSError):
            return self._replace(worker), ("failed", 500, "the query worker stopped unexpectedly; try again")
        return self._replace(worker), (
            "failed",
            503,
            f"the query ran longer than {self.timeout:g} s, this server's time limit, and was stopped",
        )

    async def run(self, job: QueryJob) -> Answer:
        """Answer ``job`` in a worker; raises :class:`QueryFailed`."""
        import anyio.to_thread

        idle = self._queue()
        try:
            worker = await asyncio.wait_for(idle.get(), timeout=self.timeout)
        except TimeoutError:
            raise QueryFailed(503, "all query workers are busy; try again shortly", {"Retry-After": "2"}) from None
        try:
            worker, reply = await anyio.to_thread.run_sync(self._call, worker, job)
        finally:
            idle.put_nowait(worker)
        if reply[0] == "ok":
            return reply[1]
        raise QueryFailed(reply[1], reply[2])


__all__ = ["Answer", "QueryFailed", "QueryJob", "QueryPool", "check_format_name", "execute"]
