"""Load test: concurrent clients run the saved queries against `opsi-kg serve` on this machine.

    python bench/load.py                          # starts its own server (default data), then stops it
    python bench/load.py --url http://127.0.0.1:8000 --clients 16 --duration 30
    python bench/load.py --slow                   # plus one client sending a runaway query throughout

Each client loops over the saved queries, alternating the API (``GET /api/queries/NAME``) and the
SPARQL endpoint (``POST /sparql`` with the query text), until the time or the request budget runs
out. Prints throughput and p50/p90/p99 latency, and exits 1 if any request failed. The runaway
query of ``--slow`` is expected to hit the server's time limit (503); it is counted apart, and the
point is that the other requests keep their latency.

Only loopback addresses are accepted, and clients, time and requests are bounded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from opsi_kg.queries import bindings_for, catalogue
from opsi_kg.serve.launch import ServeProcess, require_loopback
from opsi_kg.store import inline_bindings

MAX_CLIENTS, MAX_DURATION, MAX_REQUESTS = 64, 300.0, 100_000
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_query: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    slow: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0

    def take(self, budget: int) -> bool:
        with self.lock:
            if self.issued >= budget:
                return False
            self.issued += 1
            return True


def _requests():
    """(label, method, path, kwargs) for every saved query, via the API and via /sparql."""
    plans = []
    for q in catalogue().values():
        plans.append((f"api:{q.name}", "GET", f"/api/queries/{q.name}", {}))
        text = inline_bindings(q.sparql(), bindings_for(q, {}))
        plans.append((f"sparql:{q.name}", "POST", "/sparql", {"data": {"query": text}}))
    return plans


def client(url: str, plans, start: int, deadline: float, budget: int, tally: Tally) -> None:
    i = start
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as http:
        while time.monotonic() < deadline and tally.take(budget):
            label, method, path, kwargs = plans[i % len(plans)]
            i += 1
            began = time.perf_counter()
            try:
                r = http.request(method, path, headers={"Accept": "application/sparql-results+json"}, **kwargs)
                ok = r.status_code == 200 and r.content
                problem = f"{label}: HTTP {r.status_code} {r.text[:200]}" if not ok else ""
            except httpx.HTTPError as exc:
                problem = f"{label}: {type(exc).__name__}: {exc}"
            took = time.perf_counter() - began
            with tally.lock:
                if problem:
                    tally.failures.append(problem)
                else:
                    tally.latencies.append(took)
                    tally.by_query.setdefault(label.split(":", 1)[1], []).append(took)


def slow_client(url: str, deadline: float, tally: Tally) -> None:
    with httpx.Client(base_url=url, timeout=120, trust_env=False) as http:
        while time.monotonic() < deadline:
            try:
                r = http.post("/sparql", data={"query": SLOW_QUERY})
                tally.slow[r.status_code] += 1
            except httpx.HTTPError as exc:
                tally.slow[type(exc).__name__] += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(url: str, clients: int, duration: float, budget: int, slow: bool) -> int:
    plans = _requests()
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as http:  # warm up, and check it is there
        http.get("/api/queries").raise_for_status()
    tally = Tally()
    began = time.monotonic()
    deadline = began + duration
    threads = [threading.Thread(target=client, args=(url, plans, n * 7, deadline, budget, tally))
               for n in range(clients)]
    if slow:
        threads.append(threading.Thread(target=slow_client, args=(url, deadline, tally)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    done = len(tally.latencies)
    ms = [x * 1000 for x in tally.latencies]
    print(f"server      {url}")
    print(f"clients     {clients}{' + 1 sending a runaway query' if slow else ''}")
    print(f"requests    {done} answered, {len(tally.failures)} failed, in {elapsed:.1f} s")
    print(f"throughput  {done / elapsed:.1f} requests/s")
    if ms:
        print(f"latency ms  p50 {percentile(ms, 50):.1f}  p90 {percentile(ms, 90):.1f}  "
              f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}")
    if slow:
        print(f"runaway     {dict(tally.slow)} (503 = stopped at the time limit, as it should be)")
    print("per query (p50 ms):")
    for name, values in sorted(tally.by_query.items()):
        print(f"  {name:<36} {percentile([v * 1000 for v in values], 50):8.1f}  ({len(values)} requests)")
    for problem in tally.failures[:10]:
        print(f"FAILED {problem}", file=sys.stderr)
    assert not tally.failures, f"{len(tally.failures)} requests failed"
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running opsi-kg serve on loopback (default: start one)")
    parser.add_argument("--data", help="records or dump for the server this script starts")
    parser.add_argument("--clients", type=int, default=8, help=f"concurrent clients (default 8, at most {MAX_CLIENTS})")
    parser.add_argument("--duration", type=float, default=20.0, help=f"seconds (default 20, at most {MAX_DURATION:g})")
    parser.add_argument("--requests", type=int, default=20_000, help=f"request budget (at most {MAX_REQUESTS})")
    parser.add_argument("--workers", type=int, default=2, help="query workers of the server this script starts")
    parser.add_argument("--slow", action="store_true", help="one more client sends a runaway query throughout")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be from 1 to {MAX_CLIENTS}")
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be more than 0 and at most {MAX_DURATION:g}")
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be from 1 to {MAX_REQUESTS}")
    if args.url:
        try:
            require_loopback(urlsplit(args.url).hostname or "")
        except ValueError as exc:
            parser.error(str(exc))
        return run(args.url.rstrip("/"), args.clients, args.duration, args.requests, args.slow)
    serve_args = ["--no-access-log", "--workers", str(args.workers)]
    if args.data:
        serve_args += ["--data", args.data]
    print("starting opsi-kg serve ...", file=sys.stderr, flush=True)
    with ServeProcess(serve_args) as server:
        return run(server.url, args.clients, args.duration, args.requests, args.slow)


if __name__ == "__main__":
    sys.exit(main())
