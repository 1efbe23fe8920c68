"""Benchmark: import and map a large, messy case spreadsheet.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--seed 1] [--keep DIR] [--quality]

Generates a CSV of ``--rows`` cases written the way real spreadsheets are (countries in many
spellings, organisations written three ways, themes as OPSI tags and free text, years as dates,
about 2% of rows with an error), then times

* **import**: read + normalise every row and write one YAML record per row (``opsi-kg import``);
* **map**: the RDF of every record (cases, actors, awards and the provenance Links) as the
  pipeline maps it (N-Triples string triples, their union the asserted graph); the sorted
  N-Triples dump ``build`` writes from it is timed too, outside the total;
* with ``--quality``: the data-quality report, markdown and HTML.

and prints rows per second (import + map) and the peak resident memory of the process. The
target (issue 3): 100,000 rows imported and mapped in under 60 seconds on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opsi_kg.importer import import_table  # noqa: E402
from opsi_kg.mapping import record_nt  # noqa: E402
from opsi_kg.namespaces import Iris  # noqa: E402
from opsi_kg.normalise import gc_paused  # noqa: E402
from opsi_kg.turtle import ntriples  # noqa: E402
from opsi_kg.vocab import vocabulary  # noqa: E402

COLUMNS = [
    "id", "title", "summary", "countries", "city", "year", "level_of_government", "lead_actors",
    "partner_actors", "funder_actors", "themes", "awards", "sdgs", "sources",
]  # fmt: skip

COUNTRIES = [
    ["United Kingdom", "UK", "U.K.", "Great Britain", "GB", "united kingdom"],
    ["France", "FR", "FRA", "france", "République française"],
    ["Korea", "Republic of Korea", "South Korea", "KR", "Korea, Rep."],
    ["Türkiye", "Turkey", "TUR", "Turkiye"],
    ["Germany", "Deutschland", "DE", "GERMANY"],
    ["United States", "USA", "U.S.", "United States of America"],
    ["Brazil", "Brasil", "BR"],
    ["Netherlands", "The Netherlands", "Holland", "Netherlands (Kingdom of the)"],
    ["Viet Nam", "Vietnam"],
    ["Congo, Dem. Rep.", "DRC", "Democratic Republic of the Congo"],
    ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
    ["Bosnia and Herzegovina", "Bosnia & Herzegovina"],
    ["Italy"], ["Spain", "España"], ["Canada"], ["Japan"], ["Portugal"], ["Colombia"], ["Indonesia"],
    ["Australia", "AUS"], ["Finland", "FI"], ["Estonia"], ["Chile"], ["Kenya"], ["India"], ["Mexico", "México"],
]  # fmt: skip
MISSPELT = ["Frnace", "Swedn", "Atlantis", "Untied Kingdom"]
CITIES = ["Lisbon", "Bogotá", "Seoul", "Cosenza", "Adelaide", "Nairobi", "Lyon", "Leeds"]
LEVELS = ["national", "National", "local", "Local", "regional", "Municipal", "sub-national", "federal", ""]
YEARS = ["2019", "2018", "2021", "2019-07-01", "2020-01-01", "July 2019", "Mar 2017", "2022-05", "2015"]
BAD_YEARS = ["2019/20", "FY2019", "sometime"]
UNKNOWN_TAGS = ["zebra-crossings", "innovation-festival", "global-trends-2018", "people-first", "misc"]
PRIZES = ["Public Sector Innovation Award", "OECD Innovation Prize", "Open Government Award", "Design Award"]
WORDS = (
    "public service citizens data platform pilot ministry city residents digital budget open policy "
    "agency design experiment network community health youth employment procurement innovation"
).split()
ORG_KINDS = ["Ministry of", "Agency for", "Office for", "Department of", "Institute for", "Council for"]
ORG_TOPICS = [
    "Digital Affairs", "National Statistics", "Public Health", "Innovation", "Employment", "Education",
    "Transport", "Open Data", "Procurement", "Social Care", "Justice", "Urban Development", "Culture",
]  # fmt: skip


def _variant(rng: random.Random, text: str) -> str:
    """Case, hyphens and spaces as different people type them."""
    choice = rng.random()
    if choice < 0.2:
        text = text.upper() if len(text) < 8 else text.title()
    elif choice < 0.35:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.replace("-", " ") if "-" in text else text.replace(" ", "-")
    return text


def _organisations(rng: random.Random, n: int) -> list[list[str]]:
    """Organisation spellings: the name with its acronym, the acronym, lower case, "The ...", "... ."."""
    orgs = []
    for i in range(n):
        kind = ORG_KINDS[i % len(ORG_KINDS)]
        topic = ORG_TOPICS[(i // len(ORG_KINDS)) % len(ORG_TOPICS)]
        place = f"Region {i // (len(ORG_KINDS) * len(ORG_TOPICS)) + 1}"
        name = f"{kind} {topic} of {place}"
        acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + str(i)
        orgs.append([f"{name} ({acronym})", acronym, name.lower(), f"The {name}", f"{name}."])
    return orgs


def _themes() -> list[str]:
    index = vocabulary().themes
    texts = [str(c).rsplit("/", 1)[-1] for c in index.labels] + list(index.labels.values())
    return sorted(set(texts))


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    orgs = _organisations(rng, 5000)
    themes = _themes()
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            bad = rng.random() < 0.02
            countries = [rng.choice(rng.choice(COUNTRIES)) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
            if bad and rng.random() < 0.3:
                countries.append(rng.choice(MISSPELT))
            year = rng.choice(BAD_YEARS) if bad and rng.random() < 0.5 else rng.choice(YEARS + [""])

            def actors(k: int) -> str:
                picked = [orgs[min(int(rng.paretovariate(1.2)) - 1, len(orgs) - 1)] for _ in range(k)]
                return "; ".join(rng.choice(spellings) for spellings in picked)

            tags = [_variant(rng, rng.choice(themes)) for _ in range(rng.randint(1, 5))]
            if rng.random() < 0.1:
                tags.append(rng.choice(UNKNOWN_TAGS))
            summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + "."
            if rng.random() < 0.05:
                summary += "\nA second paragraph, on its own line."
            title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}"
            if bad and rng.random() < 0.2:
                title = ""
            case_id = f"case-{i:06d}" if rng.random() < 0.7 else ""
            if rng.random() < 0.002 and i:
                case_id = f"case-{i - 1:06d}"  # a duplicate id
            writer.writerow(
                [
                    case_id,
                    title,
                    summary,
                    "; ".join(countries),
                    rng.choice(CITIES) if rng.random() < 0.3 else "",
                    year,
                    rng.choice(LEVELS),
                    actors(rng.choice([1, 1, 2])),
                    actors(rng.choice([0, 0, 1, 2, 3])),
                    actors(rng.choice([0, 0, 0, 1])),
                    "; ".join(tags),
                    f"{rng.choice(PRIZES)} ({rng.choice(['2019', '2020', '2021'])})" if rng.random() < 0.05 else "",
                    "; ".join(rng.sample(["16", "SDG 3", "Goal 5", "9", "11"], rng.randint(0, 2))),
                    f"https://example.org/cases/{i}" + ("; a printed report, p. 12" if rng.random() < 0.01 else ""),
                ]
            )


def _scratch() -> Path:
    folder = Path(__file__).resolve().parent.parent / "build"
    folder.mkdir(exist_ok=True)
    return folder


def clock() -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process, all threads, user + system)."""
    return time.perf_counter(), time.process_time()


def span(a: tuple[float, float], b: tuple[float, float]) -> str:
    return f"{b[0] - a[0]:7.1f} s  (CPU {b[1] - a[1]:6.1f} s)"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="work in DIR and keep the CSV, records and dump (default: a folder under build/, removed)",
    )
    parser.add_argument("--quality", action="store_true", help="also time the data-quality report")
    args = parser.parse_args(argv)

    # Under build/ (git-ignored) rather than the system temporary folder, which on some machines
    # creates files many times slower than the disk the data lives on.
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="import-bench-", dir=_scratch()))
    work.mkdir(parents=True, exist_ok=True)
    table = work / "cases.csv"
    try:
        t = time.perf_counter()
        generate(table, args.rows, args.seed)
        print(f"generated {args.rows} rows ({table.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
        vocabulary()  # loaded once per process; not part of the per-row cost
        base_mb = peak_mb()

        marks: list[tuple[str, tuple[float, float]]] = []
        c0 = clock()
        result = import_table(table, work / "cases", progress=lambda m: marks.append((m, clock())))
        c1 = clock()
        writing = next((at for m, at in marks if m.startswith("writing")), c1)
        report = result.report
        print(f"import: {report.read} rows read = {report.built} built + {len(report.quarantined)} quarantined")
        print(f"  read + normalise    {span(c0, writing)}")
        print(f"  write YAML records  {span(writing, c1)}  ({len(result.written)} files)")
        import_mb = peak_mb()

        # Map as the pipeline does (opsi_kg.pipeline.build): N-Triples string triples per record,
        # their union the asserted graph; then the sorted N-Triples dump `build` writes.
        iris = Iris()
        asserted: set = set()
        with gc_paused():
            for rec in result.records:
                asserted.update(record_nt(rec, iris))
        c2 = clock()
        print(f"map: {len(asserted)} distinct triples {span(c1, c2)}")
        (work / "opsi-kg.nt").write_text(ntriples(asserted), encoding="utf-8")
        c3 = clock()
        print(f"  (the sorted N-Triples dump `build` writes: {span(c2, c3).strip()}, not in the total)")
        del asserted
        mapped_mb = peak_mb()
        total = c2[0] - c0[0]
        if args.quality:
            from opsi_kg.quality import quality_html, quality_markdown, quality_report

            t = time.perf_counter()
            q = quality_report(report, result.records, title=table.name)
            (work / "data-quality.md").write_text(quality_markdown(q), encoding="utf-8")
            (work / "data-quality.html").write_text(quality_html(q), encoding="utf-8")
            print(f"  (data-quality report, md + html, in {time.perf_counter() - t:.1f} s, not in the total)")
        print(
            f"TOTAL import + map: {report.read} rows in {total:.1f} s = {report.read / total:,.0f} rows/s "
            f"({c2[1] - c0[1]:.1f} s of CPU); "
            f"peak memory {mapped_mb:,.0f} MB (after the import {import_mb:,.0f} MB; "
            f"vocabularies and interpreter {base_mb:,.0f} MB)"
        )
        return 0 if total < 60 or args.rows != 100_000 else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
