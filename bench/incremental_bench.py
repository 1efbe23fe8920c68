"""Incremental-rebuild benchmark: edit one record of N and build again with the build cache.

    python bench/incremental_bench.py [--cases 10000] [--edits 5] [--seed 1]

Writes N generated records as one YAML file each (bench/generate.py), then, each in a fresh
process (imports included, as a user running ``opsi-kg build`` meets it):

* a full build without the cache (``build(data)``);
* the first build with the cache (``build(data, cache=...)``: everything, and the cache written);
* ``--edits`` times: one record edited (title, then countries, then an actor added, ...) and the
  build run again with the cache; the figure is the build, and the whole process beside it.

The target (the scale issue): under 2 seconds for one edited record of 10,000. Only the build
is timed; writing the exports after it is another stage (``bench/build_bench.py`` times it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(data: Path, cache: str | None) -> dict:
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from opsi_kg.pipeline import build

    t = time.perf_counter()
    result = build(data, cache=Path(cache) if cache else None)
    took = time.perf_counter() - t
    return {"build": took, "process": time.perf_counter() - start, "built": result.report.built}


def run(data: Path, cache: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", str(data), cache or ""]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the build failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


EDITS = [
    ("the title", lambda rec, i: rec.update(title=f"{rec.get('title') or 'Case'} (edit {i})")),
    ("the countries", lambda rec, i: rec.update(countries=["Chile", "Kenya"])),
    ("an actor added", lambda rec, i: rec.setdefault("actors", []).append({"name": f"Agency {i}", "role": "partner"})),
    ("the themes", lambda rec, i: rec.update(themes=["digital-government"])),
    ("the year", lambda rec, i: rec.update(year=2001 + i)),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), args.child[1] or None)))
        return 0

    import yaml

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate_records

    tmp = Path(tempfile.mkdtemp(prefix="opsi-incremental-"))
    data = tmp / "cases"
    data.mkdir()
    records = generate_records(args.cases, seed=args.seed)
    for rec in records:
        (data / f"{rec['id']}.yaml").write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=False))
    cache = str(tmp / "build.cache")
    print(f"{args.cases} records in {data}")
    full = run(data, None)
    print(f"full build, no cache:        build {full['build']:6.2f}s  process {full['process']:6.2f}s")
    cold = run(data, cache)
    print(f"first build with the cache:  build {cold['build']:6.2f}s  process {cold['process']:6.2f}s")
    files = sorted(data.glob("*.yaml"))
    for i in range(args.edits):
        what, edit = EDITS[i % len(EDITS)]
        path = files[(i * 7919) % len(files)]
        rec = yaml.safe_load(path.read_text())
        edit(rec, i)
        time.sleep(0.01)
        path.write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=False))
        again = run(data, cache)
        print(
            f"one record edited ({what:<14}): build {again['build']:6.2f}s  process {again['process']:6.2f}s  "
            f"({full['build'] / again['build']:.0f}x faster than the full build)"
        )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
