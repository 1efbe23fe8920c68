"""Whole-build benchmark: ``opsi-kg build`` stages at 1,000, 10,000 and 100,000 generated cases.

    python bench/build_bench.py [--sizes 1000 10000 100000] [--reference-up-to 1000] [--queries]

For each size a fresh process generates the cases (bench/generate.py, CSV import format), runs
the build (load -> normalise -> map -> reason -> validate) and writes the Turtle and N-Triples
exports as ``opsi-kg export --format ttl --format nt`` does (a child process writes the dumps
beside reasoning and validation; "export" is what is left after the build), and prints seconds
per stage, the peak memory of the process and of the dump child, and the largest sum of both
sampled while they ran. With
``--reference-up-to N`` the same build runs with the reference engines (owlrl, pyshacl) for sizes
up to N and the ratios are printed. With ``--queries`` every saved query is timed on the embedded
Oxigraph store and on bare pyoxigraph with the same SPARQL (the 1.5x target of the scale issue).
It is a benchmark, not a test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(n: int, reasoner: str, validator: str, queries: bool, overlap: bool = True) -> dict:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate_rows, write_csv

    from opsi_kg.export import AdvanceDumps, write_exports
    from opsi_kg.pipeline import build

    tmp = Path(tempfile.mkdtemp(prefix="opsi-bench-"))
    csv_path = write_csv(generate_rows(n, seed=1), tmp / "cases.csv")
    stamps: list[tuple[float, str]] = []
    sampler = MemorySampler()
    start = time.perf_counter()
    # As `opsi-kg export --format ttl --format nt` runs it: the dumps are written by a child
    # process beside reasoning and validation (opsi_kg.export.AdvanceDumps).
    advance = AdvanceDumps(tmp / "dist", "https://w3id.org/opsi-kg/id/", ["ttl", "nt"]) if overlap else None
    result = build(
        csv_path,
        reasoner=reasoner,
        validator=validator,
        progress=lambda m: stamps.append((time.perf_counter() - start, m.split(" ", 1)[0])),
        on_asserted=advance.start if advance else None,
    )
    stamps.append((time.perf_counter() - start, "export"))
    write_exports(result, tmp / "dist", ["ttl", "nt"], advance=advance)
    stamps.append((time.perf_counter() - start, "end"))
    sampler.stop()
    stages = {}
    names = {
        "loading": "load",
        "normalising": "normalise",
        "mapping": "map",
        "reasoning": "reason",
        "validating": "validate",
        "quarantined": "re-build",
        "read": "summary",
        "export": "export",
    }
    for (t0, label), (t1, _next) in zip(stamps, stamps[1:], strict=False):
        key = names.get(label, label)
        if key != "summary":
            stages[key] = stages.get(key, 0.0) + (t1 - t0)
    out = {
        "cases": n,
        "reasoner": reasoner,
        "validator": validator,
        "stages": stages,
        "total": stamps[-1][0],
        "asserted": len(result.asserted_triples),
        "inferred": len(result.inferred_triples),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "sum_peak_mb": sampler.peak / 1024 / 1024,
    }
    if queries:
        out["queries"] = time_queries(tmp / "dist" / "opsi-kg.nt", result)
    shutil.rmtree(tmp, ignore_errors=True)  # 1.3 GB of dumps at 100k
    return out


class MemorySampler:
    """The largest sum of the resident memory of this process and its children, sampled every
    50 ms from /proc (Linux; shared pages counted in each process, so an upper bound)."""

    def __init__(self):
        import threading

        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                return int(fh.read().split()[1]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            return 0

    def _run(self) -> None:
        import os

        me = os.getpid()
        while not self._done.wait(0.05):
            try:
                with open(f"/proc/{me}/task/{me}/children") as fh:
                    children = [int(p) for p in fh.read().split()]
            except OSError:
                children = []
            self.peak = max(self.peak, self._rss(me) + sum(self._rss(c) for c in children))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def time_queries(nt_path: Path, result) -> dict:
    import pyoxigraph as ox

    from opsi_kg.queries import bindings_for, catalogue
    from opsi_kg.store import OxigraphStore, inline_bindings

    store = OxigraphStore({})
    for name, triples in result.named_graphs().items():
        data = "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8")
        store.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    times = {}
    for q in catalogue().values():
        text = inline_bindings(q.sparql(), bindings_for(q, {}))
        t = time.perf_counter()
        list(store.store.query(text, use_default_graph_as_union=True))
        bare = time.perf_counter() - t
        t = time.perf_counter()
        store.query(q.sparql(), bindings_for(q, {}))
        ours = time.perf_counter() - t
        times[q.name] = (bare, ours)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--reference-up-to", type=int, default=0, help="also run owlrl + pyshacl up to this size")
    parser.add_argument("--queries", action="store_true", help="time the saved queries against bare pyoxigraph")
    parser.add_argument(
        "--no-overlap", action="store_true", help="write the dumps after the build, not beside it in a child process"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        n, reasoner, validator, queries, overlap = args.child
        print(json.dumps(child(int(n), reasoner, validator, queries == "1", overlap == "1")))
        return 0
    runs = []
    for n in args.sizes:
        engines = [("rules", "fast")] + ([("owlrl", "pyshacl")] if n <= args.reference_up_to else [])
        for reasoner, validator in engines:
            flags = ["1" if args.queries else "0", "0" if args.no_overlap else "1"]
            cmd = [sys.executable, __file__, "--child", str(n), reasoner, validator, *flags]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{n} cases ({reasoner}/{validator}) failed:\n{proc.stderr}", file=sys.stderr)
                return 1
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            runs.append(run)
            stages = "  ".join(f"{k} {v:6.2f}s" for k, v in run["stages"].items())
            print(
                f"{n:>7} cases  {reasoner:>5}/{validator:<7}  total {run['total']:7.2f}s  "
                f"peak {run['peak_mb']:7.0f} MB (dump child {run['child_peak_mb']:.0f} MB, "
                f"both at once at most {run['sum_peak_mb']:.0f} MB)  "
                f"{run['asserted']} asserted, {run['inferred']} inferred\n         {stages}",
                flush=True,
            )
            for name, (bare, ours) in run.get("queries", {}).items():
                print(
                    f"         query {name:<34} bare {bare:7.3f}s  opsi-kg {ours:7.3f}s  "
                    f"ratio {ours / max(bare, 1e-6):5.2f}"
                )
    fast = {r["cases"]: r for r in runs if r["reasoner"] == "rules"}
    for r in runs:
        if r["reasoner"] == "owlrl":
            f = fast[r["cases"]]
            print(
                f"{r['cases']} cases: reference engines take {r['total'] / f['total']:.1f}x the time "
                f"(reason {r['stages'].get('reason', 0) / max(f['stages'].get('reason', 1e-9), 1e-9):.0f}x, "
                f"validate {r['stages'].get('validate', 0) / max(f['stages'].get('validate', 1e-9), 1e-9):.0f}x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
