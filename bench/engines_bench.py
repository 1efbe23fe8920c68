"""Time the fast engines (opsi_kg.rules, opsi_kg.fastshacl) against owlrl and pyshacl.

    python bench/engines_bench.py [--sizes 1000,10000,100000] [--reference-max 1000] [--seed 1]

For each size: generate cases (bench/generate.py, YAML-style records), normalise and map them to
N-Triples-string triples (setup, not timed as engine work), then time

- ``rules.infer`` over all asserted triples (whole graph), and ``infer_per_record`` + ``combine``;
- ``fastshacl``: indexing asserted + inferred + vocabularies, then validating;

and, up to ``--reference-max`` cases, owlrl (``reasoning.infer``) and pyshacl
(``validation.validate``) on the same data, checking that the answers are equal. Peak memory is
the process's maximum resident set size so far (it only grows).
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opsi_kg import fastshacl, rules  # noqa: E402
from opsi_kg.mapping import record_nt, subject_sources  # noqa: E402
from opsi_kg.namespaces import Iris  # noqa: E402
from opsi_kg.normalise import normalise_all  # noqa: E402
from opsi_kg.records import RawRecord  # noqa: E402
from opsi_kg.vocab import vocabulary  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", Path(__file__).with_name("generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(n: int, seed: int):
    gen = _generator()
    raws = [RawRecord(f"cases/{r['id']}.yaml", r, stem=r["id"]) for r in gen.generate_records(n, seed)]
    records, _results, _quarantined, _read = normalise_all(raws)
    iris = Iris()
    per_record = [set(record_nt(rec, iris)) for rec in records]
    return records, per_record


def timed(label: str, fn, *args, **kwargs):
    """Run fn; print wall-clock and CPU seconds (the machine is shared: CPU time is steadier)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(f"  {label:<42} {dt:8.2f} s wall {dc:8.2f} s cpu   peak {peak_mb():7.0f} MB", flush=True)
    return out, dt


def run(n: int, seed: int, reference: bool) -> dict[str, float]:
    print(f"== {n} cases", flush=True)
    t = time.perf_counter()
    records, per_record = setup(n, seed)
    asserted = [t for rec in per_record for t in rec]  # in record order, as a pipeline makes them
    print(
        f"  setup (generate, normalise, map): {time.perf_counter() - t:.1f} s; "
        f"{len(records)} records, {len(set(asserted))} asserted triples",
        flush=True,
    )
    ruleset = rules.default_rules()
    times: dict[str, float] = {}
    inferred, times["rules.infer"] = timed("rules.infer (whole graph)", ruleset.infer, asserted)
    print(f"  {len(inferred)} inferred triples")
    parts, times["rules.per_record"] = timed("rules.infer_per_record", ruleset.infer_per_record, per_record)
    combined, times["rules.combine"] = timed("rules.combine", ruleset.combine, parts, asserted)
    assert combined == inferred, "per-record and whole-graph inference differ"
    vocab = rules.graph_triples(vocabulary().graph)
    sources = subject_sources(records)
    program = fastshacl.compile_shapes()
    index, times["shacl.index"] = timed(
        "fastshacl index (asserted+inferred+vocab)", program.index, asserted, inferred, vocab
    )
    results, times["shacl.validate"] = timed("fastshacl validate", program.validate, index, sources)
    print(f"  {len(results)} results")
    if reference:
        from opsi_kg.reasoning import infer
        from opsi_kg.validation import validate

        graph = rules.to_graph(asserted)
        ref_inferred, times["owlrl"] = timed("owlrl (reasoning.infer)", infer, graph)
        same = rules.graph_triples(ref_inferred) == inferred
        print(f"  owlrl equal: {same}; rules speed-up x{times['owlrl'] / times['rules.infer']:.0f}")
        data = graph + ref_inferred + vocabulary().graph
        ref_results, times["pyshacl"] = timed("pyshacl (validation.validate)", validate, data, sources)
        same = sorted(ref_results) == sorted(results)
        fast = times["shacl.index"] + times["shacl.validate"]
        print(f"  pyshacl equal: {same}; fastshacl speed-up x{times['pyshacl'] / fast:.0f}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--reference-max", type=int, default=1000, help="run owlrl/pyshacl up to this size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for n in (int(x) for x in args.sizes.split(",")):
        run(n, args.seed, n <= args.reference_max)
    return 0


if __name__ == "__main__":
    sys.exit(main())
