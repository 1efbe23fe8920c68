"""The ``opsi-kg`` command line. A thin layer: parse arguments, call the stages, print, return.

Exit codes: 0 fine; 1 the data has violations (errors in records); 2 usage or input error.
Diagnostics go to stderr as ``[SEVERITY] source: message``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .namespaces import ASSERTED_GRAPH, DEFAULT_BASE, INFERRED_GRAPH, VOCAB_GRAPH
from .records import InputError
from .report import Severity

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or input: exit code 2."""


# The writers of opsi_kg.export.WRITERS (listed here so the parser does not import rdflib;
# tests/test_cli.py checks the two agree).
EXPORT_FORMATS = ["ttl", "nt", "jsonld", "trig", "report-md", "report-ttl", "quality-md", "quality-html"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit; raise so main() returns 2
        raise UsageError(f"{self.prog}: {message}")


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        metavar="PATH",
        help="a folder of YAML records, or a YAML/CSV/JSON file (default: the embedded data/cases)",
    )
    p.add_argument(
        "--base", metavar="IRI", default=DEFAULT_BASE, help=f"base IRI of the instances (default {DEFAULT_BASE})"
    )
    p.add_argument(
        "--reasoner",
        choices=["rules", "owlrl"],
        default="rules",
        help="OWL RL engine: the compiled rules (default, fast) or owlrl (the reference)",
    )
    p.add_argument(
        "--validator",
        choices=["fast", "pyshacl"],
        default="fast",
        help="SHACL engine: the compiled shapes (default, fast) or pyshacl (the reference)",
    )
    p.add_argument(
        "--cache",
        metavar="PATH",
        help=(
            "build cache: rebuild only the records changed since the last build (default for a folder of "
            "records: a file under .opsi-kg-cache/; a table is cached only when this is given)"
        ),
    )
    p.add_argument("--no-cache", action="store_true", help="build everything and keep no build cache")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", choices=["oxigraph", "rdflib"], default="oxigraph", help="embedded query engine (default oxigraph)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="opsi-kg",
        description="Build, validate, query and publish a knowledge graph of public-sector innovation cases.",
        epilog="Exit codes: 0 fine, 1 the data has violations, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"opsi-kg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "build",
        help="run the whole pipeline and write the exports",
        description=(
            "Load, normalise, map, reason, validate and write the exports "
            "(Turtle, N-Triples, JSON-LD, TriG, validation report)."
        ),
    )
    _data_options(p)
    p.add_argument("--out", metavar="DIR", default="dist", help="folder for the exports (default dist)")
    p.add_argument("--strict", action="store_true", help="any error fails the build: nothing is written")
    p.add_argument("-v", "--verbose", action="store_true", help="print warnings too, not only errors")

    p = sub.add_parser(
        "validate",
        help="print the SHACL validation report",
        description="Validate the records and print the report, grouped by record file.",
    )
    _data_options(p)
    p.add_argument("--format", choices=["text", "md", "ttl"], default="text")

    p = sub.add_parser("query", help="list, show and run the saved queries")
    qsub = p.add_subparsers(dest="query_command", metavar="ACTION", parser_class=_Parser)
    ql = qsub.add_parser("list", help="list the saved queries")
    ql.add_argument("--format", choices=["text", "csv", "json", "md"], default="text")
    qs = qsub.add_parser("show", help="print a saved query with its header")
    qs.add_argument("name")
    qr = qsub.add_parser("run", help="run saved queries on the graph", description="Run one or more saved queries.")
    qr.add_argument("names", nargs="+", metavar="NAME")
    qr.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter (repeatable)")
    qr.add_argument("--format", choices=["text", "csv", "json", "md"], default="text")
    qr.add_argument("--endpoint", metavar="URL", help="run on a remote SPARQL endpoint instead of the embedded store")
    qr.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a remote endpoint (default 30)")
    _data_options(qr)
    _store_option(qr)

    p = sub.add_parser("sparql", help="run a SPARQL query given inline or as @file.rq")
    p.add_argument("query", help="the query text, or @path/to/file.rq")
    p.add_argument("--format", choices=["text", "csv", "json", "md"], default="text")
    p.add_argument("--endpoint", metavar="URL", help="run on a remote SPARQL endpoint instead of the embedded store")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a remote endpoint (default 30)")
    _data_options(p)
    _store_option(p)

    p = sub.add_parser("export", help="write chosen exports", description="Build and write the chosen export formats.")
    _data_options(p)
    p.add_argument("--out", metavar="DIR", default="dist")
    p.add_argument(
        "--format",
        action="append",
        choices=EXPORT_FORMATS,
        help="repeatable; default all",
    )

    p = sub.add_parser("stats", help="counts of cases, countries, actors, themes and triples")
    _data_options(p)
    p.add_argument("--format", choices=["text", "csv", "json", "md"], default="text")

    p = sub.add_parser(
        "serve",
        help="serve the graph: SPARQL endpoint, linked-data pages, saved-query API",
        description=(
            "Serve the graph over HTTP: a read-only SPARQL 1.1 endpoint at /sparql, every resource at /id/... "
            "with content negotiation, the saved queries at /api/queries, and a home page. --data also takes "
            "a TriG or N-Quads dump (.trig, .nq). Stop it with Ctrl-C."
        ),
    )
    _data_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    p.add_argument("--max-rows", type=int, default=10_000, help="rows (or triples) an answer may have (default 10000)")
    p.add_argument(
        "--max-request-bytes", type=int, default=128 * 1024, help="largest request body or URL query (default 128 KiB)"
    )
    p.add_argument("--workers", type=int, default=2, help="queries run at once, each in its own process (default 2)")
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")

    p = sub.add_parser(
        "push",
        help="upload the graphs to a SPARQL store (Graph Store Protocol) and check the counts",
        description=(
            "Replace the asserted, inferred and vocabulary graphs on a store with one PUT each (SPARQL 1.1 "
            "Graph Store HTTP Protocol), then check the store holds as many triples in each as there are here. "
            "--data also takes a TriG or N-Quads dump (.trig, .nq)."
        ),
    )
    _data_options(p)
    p.add_argument(
        "--store",
        required=True,
        metavar="URL",
        help="the store's Graph Store Protocol URL (Oxigraph: http://HOST/store)",
    )
    p.add_argument(
        "--graph",
        action="append",
        metavar="IRI",
        help="push only this graph: asserted, inferred, vocabularies or its IRI (repeatable; default all three)",
    )
    p.add_argument(
        "--endpoint", metavar="URL", help="count remote triples with SPARQL here instead of reading the graphs back"
    )
    p.add_argument("--user", help="user name for HTTP Basic authentication")
    p.add_argument("--password-env", metavar="VAR", help="name of the environment variable holding the password")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each request (default 60)")

    p = sub.add_parser(
        "release",
        help="write a release folder: dumps, checksums, DCAT-AP catalogue with VoID, static site",
        description=(
            "Run the build, then write a self-contained release folder: the dumps (Turtle, N-Triples, JSON-LD, "
            "TriG), the validation report, catalog.ttl (DCAT-AP 3 catalogue, dataset and distributions, with VoID "
            "statistics, checked against the official DCAT-AP 3.0.1 shapes), SHA256SUMS and a static site "
            "(site/index.html). Set SOURCE_DATE_EPOCH or --date for a reproducible release."
        ),
    )
    _data_options(p)
    p.add_argument("--out", metavar="DIR", default="dist/release", help="the release folder (default dist/release)")
    p.add_argument(
        "--base-url",
        metavar="URL",
        default="https://w3id.org/opsi-kg/",
        help="absolute URL the release folder will be published at: download URLs and canonical links "
        "(default https://w3id.org/opsi-kg/)",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="release date (default: SOURCE_DATE_EPOCH, else today, UTC)")
    p.add_argument(
        "--metadata", metavar="FILE", help="YAML file with the catalogue's titles, publisher, contact and licence"
    )
    p.add_argument("--no-site", action="store_true", help="do not write the static site")
    p.add_argument("--strict", action="store_true", help="any error in the data fails the release: nothing written")
    p.add_argument("-v", "--verbose", action="store_true", help="print warnings too, not only errors")

    p = sub.add_parser(
        "import",
        help="import a CSV or JSON table of cases as YAML records",
        description=(
            "Read a CSV or JSON table (one case per row; see docs/import.md), normalise it as build does and "
            "write one YAML record per row into --out. Rows with errors are quarantined, not written; a "
            "different record already in --out is kept unless --force. Writes the data-quality report "
            "(data-quality.md and data-quality.html) into --report."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the .csv or .json file")
    p.add_argument("--out", metavar="DIR", default="data/cases", help="folder for the records (default data/cases)")
    p.add_argument("--report", metavar="DIR", default="dist", help="folder for the data-quality report (default dist)")
    p.add_argument("--force", action="store_true", help="replace records in --out that differ from the imported row")
    p.add_argument("--dry-run", action="store_true", help="read, check and report only: write no records")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.add_argument("-v", "--verbose", action="store_true", help="print warnings too, not only errors")
    return parser


def _progress(args, err: TextIO):
    """Progress lines on ``err`` unless --quiet."""
    if getattr(args, "quiet", False):
        return lambda _message: None
    return lambda message: print(f"[INFO] {message}", file=err, flush=True)


def _cache_path(args) -> Path | None:
    """The build cache to use: --cache, else one per input folder under .opsi-kg-cache/ (a table,
    imported whole, is cached only on request); none with --no-cache."""
    from .incremental import default_cache
    from .resources import default_data

    if getattr(args, "no_cache", False):
        return None
    if getattr(args, "cache", None):
        return Path(args.cache)
    data = Path(args.data) if args.data else default_data()
    return default_cache(data, args.base) if data.is_dir() else None


def _build(args, err: TextIO, advance=None):
    from .pipeline import build

    cache = _cache_path(args)
    return build(
        args.data,
        base=args.base,
        progress=_progress(args, err),
        reasoner=getattr(args, "reasoner", "rules"),
        validator=getattr(args, "validator", "fast"),
        cache=cache,
        on_asserted=advance.start if advance is not None and cache is None else None,
    )


def _print_results(report, err: TextIO, verbose: bool) -> None:
    threshold = Severity.WARNING if verbose else Severity.ERROR
    for r in report.iter_results(threshold):
        print(r.line(), file=err)


def _strict_build(args, err: TextIO, verb: str, advance=None):
    """Build and print the errors (and warnings with -v); None when --strict and the data has errors."""
    result = _build(args, err, advance)
    _print_results(result.report, err, args.verbose)
    if args.strict and not result.report.conforms:
        print(f"[ERROR] {verb}: {result.report.count(Severity.ERROR)} errors and --strict: nothing written", file=err)
        return None
    return result


def _cmd_build(args, out: TextIO, err: TextIO) -> int:
    from .export import AdvanceDumps, write_exports

    advance = AdvanceDumps(args.out, args.base)  # the dumps are written beside reasoning and validation
    try:
        result = _strict_build(args, err, "build", advance)
        if result is None:
            return EXIT_VIOLATIONS
        written = write_exports(result, args.out, advance=advance)
    finally:
        advance.cancel()
    report = result.report
    print(
        f"[INFO] build: {len(result.asserted_triples)} asserted and {len(result.inferred_triples)} inferred triples",
        file=err,
    )
    for path in written:
        print(f"[INFO] build: wrote {path}", file=err)
    print(report.summary(), file=out)
    if report.quarantined:
        print("quarantined: " + ", ".join(report.quarantined), file=out)
    warnings = report.count(Severity.WARNING)
    if warnings and not args.verbose:
        print(f"{warnings} warnings: see {Path(args.out) / 'validation-report.md'} or run with -v", file=out)
    if any(p.name == "data-quality.html" for p in written):
        print(f"data-quality report: {Path(args.out) / 'data-quality.html'}", file=out)
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _cmd_validate(args, out: TextIO, err: TextIO) -> int:
    from .render import REPORT_FORMATS

    result = _build(args, err)
    out.write(REPORT_FORMATS[args.format](result.report))
    return EXIT_OK if result.report.conforms else EXIT_VIOLATIONS


def _store(args, err: TextIO):
    return _build(args, err).store(args.store)


def _saved(name: str):
    from .queries import catalogue

    queries = catalogue()
    if name not in queries:
        close = difflib.get_close_matches(name, list(queries), n=1)
        hint = f": did you mean {close[0]}?" if close else " (see: opsi-kg query list)"
        raise UsageError(f"no saved query {name!r}{hint}")
    return queries[name]


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--param {pair!r}: write KEY=VALUE")
        k, v = pair.split("=", 1)
        params[k.strip()] = v
    return params


def _cmd_query(args, out: TextIO, err: TextIO) -> int:
    from .queries import ParamError, bindings_for, catalogue
    from .render import render_table
    from .store import QueryResult

    if args.query_command == "list":
        rows = []
        for q in catalogue().values():
            params = ", ".join(f"{p.name}={p.default}" if p.default else p.name for p in q.params)
            rows.append((q.name, q.title, params, ", ".join(q.tags)))
        from rdflib import Literal

        table = QueryResult(["name", "title", "parameters", "tags"], [tuple(Literal(v) for v in r) for r in rows])
        out.write(render_table(table, args.format))
        return EXIT_OK
    if args.query_command == "show":
        q = _saved(args.name)
        out.write(q.text if q.text.endswith("\n") else q.text + "\n")
        return EXIT_OK
    if args.query_command != "run":
        raise UsageError("opsi-kg query: choose list, show or run")
    queries = [_saved(n) for n in args.names]
    given = _parse_params(args.param)
    warnings: list[str] = []
    try:
        plans = []
        for q in queries:
            mine = {k: v for k, v in given.items() if k in {p.name for p in q.params}}
            plans.append((q, bindings_for(q, mine, args.base, warnings)))
        unused = set(given) - {p.name for q in queries for p in q.params}
        if unused:
            raise ParamError(f"no query here has a parameter {sorted(unused)[0]!r}")
    except ParamError as exc:
        raise UsageError(str(exc)) from None
    for w in warnings:
        print(f"[WARNING] query: {w}", file=err)
    store = _remote(args) if args.endpoint else _store(args, err)
    for i, (q, bindings) in enumerate(plans):
        if len(plans) > 1 and args.format in ("text", "md"):
            out.write(("\n" if i else "") + f"## {q.name}: {q.title}\n\n")
        out.write(render_table(store.query(q.sparql(), bindings), args.format))
    return EXIT_OK


def _remote(args):
    from .remote import RemoteStore

    return RemoteStore(args.endpoint, timeout=args.timeout)


def _cmd_sparql(args, out: TextIO, err: TextIO) -> int:
    from .namespaces import sparql_prologue
    from .render import render_table

    text = args.query
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the query file ({exc.strerror})") from None
    store = _remote(args) if args.endpoint else _store(args, err)
    out.write(render_table(store.query(sparql_prologue() + text), args.format))
    return EXIT_OK


def _cmd_export(args, out: TextIO, err: TextIO) -> int:
    from .export import AdvanceDumps, write_exports

    advance = AdvanceDumps(args.out, args.base, args.format)
    try:
        result = _build(args, err, advance)
        written = write_exports(result, args.out, args.format, advance=advance)
    finally:
        advance.cancel()
    for path in written:
        print(f"[INFO] export: wrote {path}", file=err)
    return EXIT_OK if result.report.conforms else EXIT_VIOLATIONS


def _cmd_stats(args, out: TextIO, err: TextIO) -> int:
    from rdflib import Literal

    from .render import render_table
    from .stats import statistics
    from .store import QueryResult

    result = _build(args, err)
    rows = [(Literal(k), Literal(v)) for k, v in statistics(result).items()]
    out.write(render_table(QueryResult(["measure", "value"], rows), args.format))
    return EXIT_OK


def _named_graphs(args, err: TextIO):
    """The named graphs to serve or push, and the build report: a TriG/N-Quads dump is read as is."""
    from .serve import DUMP_FORMATS, load_dump

    if args.data and Path(args.data).suffix.lower() in DUMP_FORMATS:
        path = Path(args.data)
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        try:
            return load_dump(path), None
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{path}: cannot read the dump ({first})") from None
    result = _build(args, err)
    _print_results(result.report, err, False)
    graphs = {ASSERTED_GRAPH: result.asserted, INFERRED_GRAPH: result.inferred, VOCAB_GRAPH: result.vocabularies}
    return graphs, result.report


def _cmd_serve(args, out: TextIO, err: TextIO) -> int:
    import socket

    from .serve import ServeUnavailable, config, serve

    for name in ("timeout", "max_rows", "max_request_bytes", "workers"):
        if getattr(args, name) <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be more than 0")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: choose a port from 1 to 65535")
    try:
        settings = config(
            base=args.base,
            timeout=args.timeout,
            max_rows=args.max_rows,
            max_request_bytes=args.max_request_bytes,
            workers=args.workers,
        )
    except ServeUnavailable as exc:
        raise UsageError(str(exc)) from None
    try:  # fail before the build, not after it, when the port is taken
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    graphs, _report = _named_graphs(args, err)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"[WARNING] serve: listening on {args.host}: other machines can reach this server", file=err)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"[INFO] serve: http://{host}:{args.port}/ (SPARQL at /sparql); stop with Ctrl-C", file=err, flush=True)
    try:
        serve(graphs, settings, host=args.host, port=args.port, access_log=not args.no_access_log)
    except SystemExit as exc:  # uvicorn exits when it cannot start
        return EXIT_USAGE if exc.code else EXIT_OK
    return EXIT_OK


_GRAPH_NAMES = {"asserted": ASSERTED_GRAPH, "inferred": INFERRED_GRAPH, "vocabularies": VOCAB_GRAPH}


def _cmd_push(args, out: TextIO, err: TextIO) -> int:
    import os

    from rdflib import Literal, URIRef

    from .remote import GraphStore, RemoteError, RemoteStore, check_endpoint_url, push
    from .render import render_table
    from .store import QueryResult

    password = None
    if args.password_env:
        if args.user is None:
            raise UsageError("--password-env needs --user")
        password = os.environ.get(args.password_env)
        if password is None:
            raise UsageError(f"--password-env {args.password_env}: that environment variable is not set")
    try:
        for url in (args.store, args.endpoint):
            if url:
                check_endpoint_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    store = GraphStore(args.store, timeout=args.timeout, user=args.user, password=password)
    counter = None
    if args.endpoint:
        counter = RemoteStore(args.endpoint, timeout=args.timeout, user=args.user, password=password).count
    graphs, report = _named_graphs(args, err)
    if args.graph:
        chosen = {}
        for name in args.graph:
            iri = _GRAPH_NAMES.get(name, URIRef(name))
            if iri not in graphs:
                known = ", ".join(list(_GRAPH_NAMES) + [str(g) for g in graphs if g not in _GRAPH_NAMES.values()])
                raise UsageError(f"--graph {name}: no such graph (graphs: {known})")
            chosen[iri] = graphs[iri]
        graphs = chosen
    say = _progress(args, err)
    try:
        pushed = push(store, graphs, counter=counter, progress=lambda m: say(f"push: {m}"))
    except RemoteError as exc:
        print(f"[ERROR] push: {exc}", file=err)
        return EXIT_USAGE
    rows = [
        (Literal(p.graph), Literal(p.local), Literal(p.remote), Literal("ok" if p.ok else "DIFFERENT")) for p in pushed
    ]
    out.write(render_table(QueryResult(["graph", "local", "remote", "check"], rows), "text"))
    wrong = [p for p in pushed if not p.ok]
    for p in wrong:
        print(f"[ERROR] push: {store.url} holds {p.remote} triples in {p.graph}, not {p.local}", file=err)
    if wrong:
        return EXIT_USAGE
    total = sum(p.local for p in pushed)
    print(
        f"pushed {len(pushed)} graphs ({total} triples) to {store.url}: the remote counts equal the local ones",
        file=out,
    )
    return EXIT_VIOLATIONS if report is not None and not report.conforms else EXIT_OK


def _cmd_release(args, out: TextIO, err: TextIO) -> int:
    import datetime as dt

    from .publish import CatalogMetadata, ReleaseOptions, release_date, write_release
    from .publish.site import SiteError, check_site_folder

    if not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {args.base_url!r}: give the absolute http(s) URL the release will be served at")
    try:
        date = dt.date.fromisoformat(args.date) if args.date else release_date()
    except (ValueError, OverflowError, OSError):
        where = f"--date {args.date!r}" if args.date else "SOURCE_DATE_EPOCH"
        raise UsageError(f"{where}: write a date as YYYY-MM-DD (SOURCE_DATE_EPOCH: whole seconds)") from None
    metadata = CatalogMetadata()
    if args.metadata:
        try:
            metadata = CatalogMetadata.from_file(args.metadata)
        except OSError as exc:
            raise UsageError(f"{args.metadata}: cannot read the release metadata ({exc.strerror})") from None
        except Exception as exc:  # YAML syntax, unknown field, bad date
            raise UsageError(f"{args.metadata}: {str(exc).splitlines()[0]}") from None
    problems = metadata.problems()
    if problems:
        raise UsageError(f"{args.metadata or 'release metadata'}: {problems[0]}")
    if not args.no_site:
        try:  # before the build, not after it
            check_site_folder(Path(args.out) / "site")
        except SiteError as exc:
            raise UsageError(str(exc)) from None
    result = _strict_build(args, err, "release")
    if result is None:
        return EXIT_VIOLATIONS
    report = result.report
    options = ReleaseOptions(base_url=args.base_url, date=date, metadata=metadata, site=not args.no_site)
    try:
        release = write_release(result, args.out, options, progress=_progress(args, err))
    except SiteError as exc:
        raise UsageError(str(exc)) from None
    threshold = Severity.WARNING if args.verbose else Severity.ERROR
    for r in sorted(release.catalog_results, key=lambda r: (-r.severity, r.focus_node, r.path, r.message)):
        if r.severity >= threshold:
            where = f"{r.focus_node} {r.path}".strip()
            print(f"[{r.severity.name}] catalog.ttl: {where}: {r.message}", file=err)
    print(report.summary(), file=out)
    if report.quarantined:
        print("quarantined: " + ", ".join(report.quarantined), file=out)
    errors = sum(1 for r in release.catalog_results if r.severity is Severity.ERROR)
    warnings = sum(1 for r in release.catalog_results if r.severity is Severity.WARNING)
    check = "conforms to" if release.catalog_conforms else f"has {errors} violations of"
    print(f"catalog.ttl {check} DCAT-AP 3.0.1 ({warnings} warnings)", file=out)
    pages = f", site/index.html ({len(release.site.pages)} resource pages)" if release.site else ""
    print(f"release {release.date.isoformat()} in {release.out}: {len(release.files)} files{pages}", file=out)
    return EXIT_OK if report.conforms and release.catalog_conforms else EXIT_VIOLATIONS


def _cmd_import(args, out: TextIO, err: TextIO) -> int:
    from .export import atomic_write
    from .importer import import_table
    from .quality import QUALITY_FORMATS, quality_report

    result = import_table(
        args.file, None if args.dry_run else args.out, force=args.force, progress=_progress(args, err)
    )
    _print_results(result.report, err, args.verbose)
    quality = quality_report(result.report, result.records, title=Path(args.file).name)
    for fmt, render in QUALITY_FORMATS.items():
        path = Path(args.report) / f"data-quality.{fmt}"
        atomic_write(path, render(quality))
        print(f"[INFO] import: wrote {path}", file=err)
    print(result.summary(), file=out)
    if result.report.quarantined:
        print("quarantined: " + ", ".join(result.report.quarantined), file=out)
    print(f"data-quality report: {Path(args.report) / 'data-quality.html'}", file=out)
    return EXIT_OK if result.report.conforms else EXIT_VIOLATIONS


COMMANDS = {
    "build": _cmd_build,
    "validate": _cmd_validate,
    "query": _cmd_query,
    "sparql": _cmd_sparql,
    "export": _cmd_export,
    "stats": _cmd_stats,
    "serve": _cmd_serve,
    "push": _cmd_push,
    "release": _cmd_release,
    "import": _cmd_import,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code (tests call this in-process)."""
    from .store import QueryError

    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        if not args.command:
            parser.print_help(out)
            return EXIT_USAGE
        return COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        print(f"[ERROR] {exc}", file=err)
        return EXIT_USAGE
    except InputError as exc:
        print(f"[ERROR] input: {exc}", file=err)
        return EXIT_USAGE
    except QueryError as exc:
        print(f"[ERROR] query: {exc}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
