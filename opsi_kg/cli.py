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
        choices=["ttl", "nt", "jsonld", "trig", "report-md", "report-ttl"],
        help="repeatable; default all",
    )

    p = sub.add_parser("stats", help="counts of cases, countries, actors, themes and triples")
    _data_options(p)
    p.add_argument("--format", choices=["text", "csv", "json", "md"], default="text")
    return parser


def _progress(args, err: TextIO):
    """Progress lines on ``err`` unless --quiet."""
    if getattr(args, "quiet", False):
        return lambda _message: None
    return lambda message: print(f"[INFO] {message}", file=err, flush=True)


def _build(args, err: TextIO):
    from .pipeline import build

    return build(args.data, base=args.base, progress=_progress(args, err))


def _print_results(report, err: TextIO, verbose: bool) -> None:
    threshold = Severity.WARNING if verbose else Severity.ERROR
    for r in report.iter_results(threshold):
        print(r.line(), file=err)


def _cmd_build(args, out: TextIO, err: TextIO) -> int:
    from .export import write_exports

    result = _build(args, err)
    _print_results(result.report, err, args.verbose)
    report = result.report
    if args.strict and not report.conforms:
        print(f"[ERROR] build: {report.count(Severity.ERROR)} errors and --strict: nothing written", file=err)
        return EXIT_VIOLATIONS
    written = write_exports(result, args.out)
    print(f"[INFO] build: {len(result.asserted)} asserted and {len(result.inferred)} inferred triples", file=err)
    for path in written:
        print(f"[INFO] build: wrote {path}", file=err)
    print(report.summary(), file=out)
    if report.quarantined:
        print("quarantined: " + ", ".join(report.quarantined), file=out)
    warnings = report.count(Severity.WARNING)
    if warnings and not args.verbose:
        print(f"{warnings} warnings: see {Path(args.out) / 'validation-report.md'} or run with -v", file=out)
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _cmd_validate(args, out: TextIO, err: TextIO) -> int:
    from .render import REPORT_FORMATS

    result = _build(args, err)
    out.write(REPORT_FORMATS[args.format](result.report))
    return EXIT_OK if result.report.conforms else EXIT_VIOLATIONS


def _store(args, err: TextIO):
    from .store import open_store

    result = _build(args, err)
    graphs = {ASSERTED_GRAPH: result.asserted, INFERRED_GRAPH: result.inferred, VOCAB_GRAPH: result.vocabularies}
    return open_store(graphs, backend=args.store)


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
    from .export import write_exports

    result = _build(args, err)
    for path in write_exports(result, args.out, args.format):
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


COMMANDS = {
    "build": _cmd_build,
    "validate": _cmd_validate,
    "query": _cmd_query,
    "sparql": _cmd_sparql,
    "export": _cmd_export,
    "stats": _cmd_stats,
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
