"""Stage 8, export: the dumps portals load, written atomically and deterministically.

Writers are picked by name from :data:`WRITERS`. Two builds of the same input give byte-identical
files: Turtle and TriG come from the sorted writers of :mod:`opsi_kg.turtle`, N-Triples lines are
sorted, and the JSON-LD document is put in a canonical order.

At millions of triples the dumps are written in pieces (never the whole text, let alone its
encoded copy, in memory at once), with Python's cyclic garbage collector paused (the triples are
tuples of strings, without cycles), and the asserted triples are grouped and sorted once for all
the dumps written together.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import BNode, Graph

from .namespaces import PREFIXES, bind_prefixes
from .pipeline import BuildResult
from .render import report_markdown, report_triples
from .terms import gc_paused, graph_triples
from .turtle import SortedTriples, ntriples_chunks, trig_chunks, turtle_and_ntriples_chunks, turtle_chunks
from .turtle import ntriples as ntriples_text
from .turtle import turtle as turtle_text

Data = str | bytes | Iterable[str | bytes]


def atomic_write(path: Path, data: Data) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    ``data`` is text (written as UTF-8), bytes, or an iterable of either, written piece by piece.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a dump is for others to read
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in (data,) if isinstance(data, (str, bytes)) else data:
                fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _prefixes(base: str) -> dict[str, str]:
    g = bind_prefixes(Graph(), base)
    return {p: str(ns) for p, ns in g.namespaces() if p in PREFIXES}


def triples_of(graph: Graph) -> set:
    """A graph's triples as N-Triples strings, blank nodes labelled canonically (stable across runs)."""
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(graph)
    return graph_triples(graph)


def turtle(graph: Graph, base: str) -> str:
    return turtle_text(triples_of(graph), _prefixes(base))


def ntriples(graph: Graph) -> str:
    return ntriples_text(triples_of(graph))


def jsonld(graph: Graph, base: str) -> str:
    return jsonld_text(triples_of(graph), _prefixes(base))


def jsonld_text(triples, prefixes: dict[str, str]) -> str:
    """Flattened JSON-LD with the prefixes as context: one node per subject, sorted by @id, values sorted."""
    return "".join(jsonld_chunks(triples, prefixes))


def jsonld_chunks(triples, prefixes: dict[str, str]):
    """:func:`jsonld_text` in pieces: exactly ``json.dumps(document, indent=2, ensure_ascii=False)``.

    The document is written here rather than by :mod:`json` (whose indenting encoder is pure
    Python): each distinct term is converted, rendered and given its sort key once.
    """
    from json.encoder import encode_basestring as quote

    from .terms import _unquote, from_nt
    from .turtle import RDF_TYPE, SortedTriples, _Terms

    terms = _Terms(prefixes)

    def ref(nt: str) -> str:  # a compact IRI where Turtle would write one, else the full IRI
        short = terms[nt]
        return short[1:-1] if short.startswith("<") else short

    def dumped(value, depth: int) -> str:  # json.dumps(value, indent=2) at this depth
        if isinstance(value, str):
            return quote(value)
        pad = "\n" + "  " * (depth + 1)
        inner = ",".join(f"{pad}{quote(k)}: {quote(v)}" for k, v in value.items())
        return "{" + inner + "\n" + "  " * depth + "}"

    values: dict[str, tuple[str, str]] = {}  # object term -> (sort key, text as a list item)

    def value_of(o: str) -> tuple[str, str]:
        if o.startswith("<"):
            value = {"@id": ref(o)}
        elif o.startswith("_:"):
            value = {"@id": o}
        else:
            end = o.rindex('"')
            rest = o[end + 1 :]
            if not rest:
                value = _unquote(o[1:end])
            elif rest[0] == "@":
                value = {"@value": _unquote(o[1:end]), "@language": rest[1:]}
            else:
                lit = from_nt(o)  # typed: rdflib's lexical form, as before
                value = {"@value": str(lit), "@type": ref(f"<{lit.datatype}>")}
        item = values[o] = (json.dumps(value, sort_keys=True, ensure_ascii=False), "        " + dumped(value, 4))
        return item

    def type_of(o: str) -> tuple[str, str]:
        text = quote(ref(o))
        item = types[o] = (text, "        " + text)
        return item

    types: dict[str, tuple[str, str]] = {}
    keys: dict[str, str] = {}  # predicate term -> its JSON key
    nodes: dict[str, dict[str, list]] = {}
    for s, p, o in triples:
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = {}
        if p == RDF_TYPE and o.startswith("<"):
            key, item = "@type", types.get(o) or type_of(o)
        else:
            key = keys.get(p)
            if key is None:
                key = keys[p] = ref(p)
            item = values.get(o) or value_of(o)
        items = node.get(key)
        if items is None:
            node[key] = [item]
        else:
            items.append(item)

    subjects = sorted(nodes) if not isinstance(triples, SortedTriples) else list(nodes)
    body = []
    for s in subjects:
        node = nodes.pop(s)
        entry = ["    {\n      \"@id\": ", quote(s if s.startswith("_:") else ref(s))]
        for key in sorted(node, key=lambda k: (k != "@type", k)):
            items = node[key]
            items.sort()
            entry += (",\n      ", quote(key), ": [\n", ",\n".join([text for _, text in items]), "\n      ]")
        entry.append("\n    }")
        body.append("".join(entry))
    context = [f"    {quote(p)}: {quote(prefixes[p])}" for p in sorted(terms.used)]
    yield "{\n  \"@context\": " + ("{\n" + ",\n".join(context) + "\n  }" if context else "{}") + ",\n  \"@graph\": "
    if not body:
        yield "[]\n}\n"
        return
    yield "[\n"
    for i in range(0, len(body), 4096):
        yield ",\n".join(body[i : i + 4096]) + (",\n" if i + 4096 < len(body) else "")
    yield "\n  ]\n}\n"


# While write_exports writes several dumps of one build: id(result) -> its asserted triples
# grouped and sorted once (see _asserted).
_SHARED: dict[int, SortedTriples] = {}


def _asserted(result: BuildResult):
    """The asserted triples, as the grouped and sorted form write_exports shares if there is one."""
    return _SHARED.get(id(result), result.asserted_triples)


def _dump_turtle(result: BuildResult) -> Iterable[str]:
    return turtle_chunks(_asserted(result), _prefixes(result.base))


def _dump_nt(result: BuildResult) -> Iterable[str]:
    return ntriples_chunks(_asserted(result))


def _dump_jsonld(result: BuildResult) -> Iterable[str]:
    return jsonld_chunks(_asserted(result), _prefixes(result.base))


def _dump_trig(result: BuildResult) -> Iterable[str]:
    graphs = result.named_graphs()
    shared = _asserted(result)
    graphs = {name: shared if triples is result.asserted_triples else triples for name, triples in graphs.items()}
    return trig_chunks(graphs, _prefixes(result.base))


def _report_md(result: BuildResult) -> str:
    return report_markdown(result.report)


def _report_ttl(result: BuildResult) -> str:
    return turtle_text(report_triples(result.report, result.base), _prefixes(result.base))


def _quality_md(result: BuildResult) -> str:
    from .quality import build_quality, quality_markdown

    return quality_markdown(build_quality(result))


def _quality_html(result: BuildResult) -> str:
    from .quality import build_quality, quality_html

    return quality_html(build_quality(result))


# name -> (file name, writer); a writer returns the text, or the text in pieces (see atomic_write)
WRITERS: dict[str, tuple[str, Callable[[BuildResult], Data]]] = {
    "ttl": ("opsi-kg.ttl", _dump_turtle),
    "nt": ("opsi-kg.nt", _dump_nt),
    "jsonld": ("opsi-kg.jsonld", _dump_jsonld),
    "trig": ("opsi-kg.trig", _dump_trig),
    "report-md": ("validation-report.md", _report_md),
    "report-ttl": ("validation-report.ttl", _report_ttl),
    "quality-md": ("data-quality.md", _quality_md),
    "quality-html": ("data-quality.html", _quality_html),
}


def write_exports(
    result: BuildResult, out: Path | str, formats: list[str] | None = None, advance: AdvanceDumps | None = None
) -> list[Path]:
    """Write the chosen exports (all by default) into ``out``; returns the paths written.

    With ``advance`` (see :class:`AdvanceDumps`), the dumps it wrote during the build are moved
    into place if they are the result's."""
    out = Path(out)
    formats = formats or list(WRITERS)
    written = []
    if advance is not None:
        done = advance.finish(result, formats)
        written = [out / WRITERS[name][0] for name in done]
        formats = [name for name in formats if name not in done]
    shared = sum(name in _SHARING for name in formats) > 1 and id(result) not in _SHARED
    if shared:
        _SHARED[id(result)] = SortedTriples(result.asserted_triples)
    pair = {"ttl", "nt"} <= set(formats)  # then both are written from one pass, at the first
    try:
        with gc_paused():
            for name in formats:
                file_name, writer = WRITERS[name]
                path = out / file_name
                if pair and name in ("ttl", "nt"):
                    if not any(p.name in (WRITERS["ttl"][0], WRITERS["nt"][0]) for p in written):
                        _write_turtle_and_ntriples(_asserted(result), result.base, out)
                else:
                    atomic_write(path, writer(result))
                written.append(path)
    finally:
        if shared:
            del _SHARED[id(result)]
    return written


def _write_turtle_and_ntriples(triples: Iterable, base: str, out: Path) -> None:
    """The N-Triples and Turtle dumps of ``triples`` into ``out``, from one pass over them."""
    nt_pieces, turtle_pieces = turtle_and_ntriples_chunks(triples, _prefixes(base))
    atomic_write(out / WRITERS["nt"][0], nt_pieces)
    atomic_write(out / WRITERS["ttl"][0], turtle_pieces())


# The writers that read _asserted(result): worth grouping and sorting once when two or more run.
_SHARING = {"ttl", "nt", "jsonld", "trig"}


class AdvanceDumps:
    """The Turtle and N-Triples dumps, written by a child process while the build goes on.

    They need only the asserted triples, settled right after mapping, so on a machine with two
    cores they need not wait for reasoning and validation: pass :meth:`start` to
    :func:`~opsi_kg.pipeline.build` as ``on_asserted`` and this object to :func:`write_exports`,
    which moves the child's files into place when they are the dumps of the result it writes, and
    else writes them itself. The child writes into a staging folder of ``out`` and nothing is
    published before :func:`write_exports` decides. Without ``os.fork``, or below
    :attr:`MIN_TRIPLES`, it does nothing.
    """

    FORMATS = ("ttl", "nt")
    MIN_TRIPLES = 200_000  # below this a child costs more than it saves

    def __init__(self, out: Path | str, base: str, formats: Iterable[str] | None = None):
        self.out = Path(out)
        self.base = base
        self.wanted = bool(set(self.FORMATS) & set(formats or WRITERS))  # the caller writes one of them
        self.pid: int | None = None
        self.staging: Path | None = None
        self.count = -1

    def start(self, asserted: list) -> None:
        """Write the dumps of ``asserted`` (distinct triples) in a child process; a dump started
        earlier is abandoned."""
        self.cancel()
        if not self.wanted or not hasattr(os, "fork") or len(asserted) < self.MIN_TRIPLES:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".opsi-kg-dumps-", dir=self.out))
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:  # the child: write, and leave without running the parent's clean-up
            code = 1
            try:
                with gc_paused():
                    groups = SortedTriples(asserted, distinct=True)  # build() settles them without repeats
                    _write_turtle_and_ntriples(groups, self.base, staging)
                code = 0
            finally:
                os._exit(code)
        self.pid, self.staging, self.count = pid, staging, len(asserted)

    def finish(self, result: BuildResult, formats: Iterable[str]) -> list[str]:
        """Wait for the child; move its dumps among ``formats`` into place if they are the
        result's. Returns the formats so written."""
        done: list[str] = []
        if self.pid is not None and self._wait() and self.count == len(result.asserted_triples):
            for name in self.FORMATS:
                if name in formats:
                    os.replace(self.staging / WRITERS[name][0], self.out / WRITERS[name][0])
                    done.append(name)
        self.cancel()
        return done

    def cancel(self) -> None:
        """Stop the child, if any, and remove what it wrote."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self._wait()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _wait(self) -> bool:
        pid, self.pid = self.pid, None
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0
