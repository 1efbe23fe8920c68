"""Synthetic innovation cases for benchmarks and tests, deterministic for a seed.

    python bench/generate.py --cases 10000 --out build/cases-10k.csv [--seed 1] [--no-violations]

writes N cases in the CSV import format (one row a case; multi-valued cells separated by ';'):
real theme slugs (read from ontology/themes.ttl), real country names, levels of government,
actor pools so that organisations recur across cases (a few very often, most rarely),
multi-country and multi-actor cases, awards, SDGs, source URLs, and - unless
``--no-violations`` - a few deliberate problems (about 2% of the rows: a missing title, a
misspelt country, a year out of range, an unknown SDG, a duplicate id, a source that is not a
URL, a missing summary).

From Python: :func:`generate_rows` gives the CSV rows as dicts, :func:`generate_records` the same
cases as YAML-style records (actors with role, type and country; regions; awards with years),
and :func:`write_csv` writes rows. Nothing here imports opsi_kg, so the generator runs anywhere.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = (
    "id",
    "title",
    "summary",
    "countries",
    "city",
    "year",
    "level_of_government",
    "lead_actors",
    "partner_actors",
    "funder_actors",
    "themes",
    "awards",
    "sdgs",
    "sources",
)

# Real country names (every one resolves in the normaliser), roughly weighted by how often the
# OPSI case library names them: the first ones are the most common.
COUNTRIES = [
    ("United Kingdom", "British", ["London", "Manchester", "Leeds", "Glasgow"]),
    ("France", "French", ["Paris", "Lyon", "Lille", "Nantes"]),
    ("Germany", "German", ["Berlin", "Hamburg", "Munich", "Cologne"]),
    ("United States", "US", ["New York", "Boston", "Austin", "Chicago"]),
    ("Canada", "Canadian", ["Ottawa", "Toronto", "Montreal"]),
    ("Australia", "Australian", ["Canberra", "Sydney", "Melbourne"]),
    ("Netherlands", "Dutch", ["Amsterdam", "Rotterdam", "Utrecht"]),
    ("Spain", "Spanish", ["Madrid", "Barcelona", "Bilbao", "Valencia"]),
    ("Italy", "Italian", ["Rome", "Milan", "Cosenza", "Turin"]),
    ("Portugal", "Portuguese", ["Lisbon", "Porto"]),
    ("Brazil", "Brazilian", ["Brasilia", "Recife", "Sao Paulo"]),
    ("Colombia", "Colombian", ["Bogota", "Medellin"]),
    ("South Korea", "Korean", ["Seoul", "Busan"]),
    ("Japan", "Japanese", ["Tokyo", "Osaka"]),
    ("Denmark", "Danish", ["Copenhagen", "Aarhus"]),
    ("Finland", "Finnish", ["Helsinki", "Espoo"]),
    ("Sweden", "Swedish", ["Stockholm", "Gothenburg"]),
    ("Norway", "Norwegian", ["Oslo", "Bergen"]),
    ("Estonia", "Estonian", ["Tallinn", "Tartu"]),
    ("Lithuania", "Lithuanian", ["Vilnius", "Kaunas"]),
    ("Ireland", "Irish", ["Dublin", "Cork"]),
    ("Belgium", "Belgian", ["Brussels", "Ghent"]),
    ("Austria", "Austrian", ["Vienna", "Graz"]),
    ("Poland", "Polish", ["Warsaw", "Krakow"]),
    ("Ukraine", "Ukrainian", ["Kyiv", "Lviv"]),
    ("Serbia", "Serbian", ["Belgrade", "Novi Sad"]),
    ("North Macedonia", "Macedonian", ["Skopje"]),
    ("Albania", "Albanian", ["Tirana"]),
    ("Montenegro", "Montenegrin", ["Podgorica"]),
    ("Greece", "Greek", ["Athens", "Thessaloniki"]),
    ("Chile", "Chilean", ["Santiago", "Valparaiso"]),
    ("Mexico", "Mexican", ["Mexico City", "Guadalajara"]),
    ("Argentina", "Argentine", ["Buenos Aires", "Cordoba"]),
    ("Uruguay", "Uruguayan", ["Montevideo"]),
    ("Peru", "Peruvian", ["Lima"]),
    ("New Zealand", "New Zealand", ["Wellington", "Auckland"]),
    ("Singapore", "Singapore", ["Singapore"]),
    ("Indonesia", "Indonesian", ["Jakarta", "Bandung"]),
    ("Philippines", "Philippine", ["Manila", "Cebu"]),
    ("Thailand", "Thai", ["Bangkok"]),
    ("India", "Indian", ["New Delhi", "Bengaluru"]),
    ("South Africa", "South African", ["Pretoria", "Cape Town"]),
    ("Kenya", "Kenyan", ["Nairobi"]),
    ("Rwanda", "Rwandan", ["Kigali"]),
    ("Israel", "Israeli", ["Jerusalem", "Tel Aviv"]),
    ("Switzerland", "Swiss", ["Bern", "Geneva"]),
    ("Slovenia", "Slovenian", ["Ljubljana"]),
    ("Czechia", "Czech", ["Prague", "Brno"]),
    ("Latvia", "Latvian", ["Riga"]),
    ("Iceland", "Icelandic", ["Reykjavik"]),
]
REGIONS = ["Western Balkans", "European Union", "Nordic countries", "Latin America and the Caribbean", "East Asia"]
PLACES = ["Basque Country", "Gipuzkoa", "Pernambuco", "Lombardy", "Flanders", "Catalonia", "Bavaria", "Scotland"]
LEVELS = ["national"] * 5 + ["local"] * 4 + ["regional"] * 2 + ["international", "multi-national", "supranational"]
ACTOR_TYPES = [
    "government",
    "private-sector",
    "academia",
    "civil-society",
    "international-organisation",
    "public-media",
]
AREAS = [
    "Digital Affairs",
    "Finance",
    "Health",
    "Education",
    "Labour",
    "the Interior",
    "Justice",
    "Economy",
    "Environment",
    "Social Affairs",
    "Transport",
    "Public Administration",
]
WORDS = [
    "Open",
    "Civic",
    "Smart",
    "Digital",
    "Citizen",
    "Public",
    "Future",
    "Green",
    "Inclusive",
    "Agile",
    "Participatory",
    "Data",
    "Youth",
    "Community",
    "Shared",
]
THINGS = [
    "Lab",
    "Platform",
    "Portal",
    "Challenge",
    "Programme",
    "Service",
    "Academy",
    "Budget",
    "Dialogue",
    "Hub",
    "Network",
    "Toolkit",
    "Sandbox",
    "Observatory",
    "Card",
]
KEYWORDS = ["blockchain pilots", "chatbots", "drones", "gamification", "hackathons", "nudging", "open source"]
AWARD_NAMES = [
    "OPSI Innovation Award",
    "European Public Sector Award",
    "UN Public Service Award",
    "Smart City Award",
    "GovTech Prize",
    "OGP Impact Award",
]
VIOLATION_RATE = 0.02


def theme_slugs(path: Path | None = None) -> list[str]:
    """The theme slugs of the shipped theme scheme, in file order."""
    text = (path or ROOT / "ontology" / "themes.ttl").read_text(encoding="utf-8")
    return re.findall(r"^theme:([a-z0-9-]+) a opsi:Theme", text, flags=re.M)


def _skewed_index(rng: random.Random, n: int, power: float = 2.0) -> int:
    """An index in [0, n), small ones more often: a few organisations and countries recur a lot."""
    return min(int(n * rng.random() ** power), n - 1)


class _Pools:
    """Actors, deterministic per index, so the same organisation has the same name, type, country."""

    def __init__(self, n_cases: int):
        self.size = max(60, n_cases // 3)

    def actor(self, i: int) -> dict[str, str]:
        rng = random.Random(i * 7919 + 17)
        country, adjective, cities = COUNTRIES[i % len(COUNTRIES)]
        kind = i % 10
        if kind < 4:
            name, type_ = f"{adjective} Ministry of {rng.choice(AREAS)}", "government"
            if i % 40 == 3 and i < len(COUNTRIES) * 10:
                name += " (M" + "".join(w[0] for w in rng.choice(AREAS).split() if w[0].isupper()) + f"{i})"
        elif kind < 6:
            name, type_ = f"City of {cities[i % len(cities)]}", "government"
        elif kind == 6:
            name, type_ = f"University of {cities[i % len(cities)]}", "academia"
        elif kind == 7:
            name, type_ = f"{rng.choice(WORDS)} {rng.choice(THINGS)} Foundation", "civil-society"
        elif kind == 8:
            name, type_ = f"{rng.choice(WORDS)}{rng.choice(THINGS).lower()} Ltd", "private-sector"
        else:
            name, type_ = f"{rng.choice(WORDS)} Governance Institute", "international-organisation"
        # Names must differ between indexes: add the index where the words could repeat.
        name = f"{name} {i}" if i >= len(COUNTRIES) * 10 or kind >= 7 else name
        return {"name": name, "type": type_, "country": country}


def _case(i: int, rng: random.Random, pools: _Pools, themes: list[str], violations: bool) -> dict[str, Any]:
    """One case as a neutral dict (lists, actor dicts), before rendering to CSV or YAML."""
    word, thing = rng.choice(WORDS), rng.choice(THINGS)
    main = COUNTRIES[_skewed_index(rng, len(COUNTRIES))]
    title = f"{word} {thing} {main[2][0]}"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + f"-{i}"
    r = rng.random()
    n_countries = 1 if r < 0.75 else (2 if r < 0.9 else rng.randint(3, 6))
    countries = [main[0]]
    while len(countries) < n_countries:
        c = rng.choice(COUNTRIES)[0]
        if c not in countries:
            countries.append(c)
    actors = []
    for role, count in (
        ("lead", 1 if rng.random() < 0.92 else 0),
        ("partner", rng.choice([0, 0, 1, 1, 2, 3])),
        ("funder", rng.choice([0, 0, 0, 1, 1, 2])),
    ):
        for _ in range(count):
            a = dict(pools.actor(_skewed_index(rng, pools.size)), role=role)
            if all(x["name"] != a["name"] for x in actors):
                actors.append(a)
    picked = []
    for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
        t = rng.choice(themes)
        if t not in picked:
            picked.append(t)
    if rng.random() < 0.08:
        picked.append(rng.choice(KEYWORDS))
    case: dict[str, Any] = {
        "id": slug,
        "title": f"{title} {i}",
        "summary": f"The {word.lower()} {thing.lower()} of {main[2][0]} ({main[0]}) helps public bodies and "
        f"residents work together; case number {i} of the synthetic library.",
        "countries": countries,
        "city": rng.choice(main[2]) if rng.random() < 0.4 else None,
        "region": None,
        "year": rng.randint(1995, 2024) if rng.random() < 0.95 else None,
        "level_of_government": rng.choice(LEVELS) if rng.random() < 0.9 else None,
        "actors": actors,
        "themes": picked,
        "awards": [],
        "sdgs": sorted(rng.sample(range(1, 18), rng.choice([0, 0, 1, 1, 2, 3]))),
        "sources": [f"https://www.oecd-opsi.org/innovations/{slug}/"]
        + ([f"https://example.org/{main[0].lower().replace(' ', '-')}/{i}"] if rng.random() < 0.3 else []),
    }
    if rng.random() < 0.1:
        case["region"] = rng.choice(REGIONS) if rng.random() < 0.6 else rng.choice(PLACES)
    if rng.random() < 0.1:
        name = rng.choice(AWARD_NAMES)
        year = rng.randint(2010, 2024)
        case["awards"] = [{"name": f"{name} {year}", "year": year}]
    if rng.random() < 0.05:
        case["summary"] = None
    if violations and rng.random() < VIOLATION_RATE:
        kind = rng.choice(["title", "country", "year", "sdg", "duplicate", "source", "summary"])
        case["violation"] = kind
        if kind == "title":
            case["title"] = None
        elif kind == "country":
            case["countries"] = ["Frnace"] + countries[1:]
        elif kind == "year":
            case["year"] = rng.choice([1850, 1899])
        elif kind == "sdg":
            case["sdgs"] = case["sdgs"] + [18]
        elif kind == "duplicate" and i > 0:
            case["id"] = re.sub(r"-\d+$", f"-{i - 1}", slug)
        elif kind == "source":
            case["sources"] = ["OECD OPSI case study, 2020"]
        elif kind == "summary":
            case["summary"] = None
    return case


def generate_cases(n: int, seed: int = 1, violations: bool = True) -> list[dict[str, Any]]:
    """n cases as neutral dicts; the same (n, seed, violations) gives the same cases."""
    rng = random.Random(seed)
    pools = _Pools(n)
    themes = theme_slugs()
    return [_case(i, rng, pools, themes, violations) for i in range(n)]


def _cell(values: list[Any]) -> str:
    return "; ".join(str(v) for v in values)


def to_row(case: dict[str, Any]) -> dict[str, str]:
    """A case as a CSV row of the import format."""
    row = {
        "id": case["id"],
        "title": case["title"] or "",
        "summary": case["summary"] or "",
        "countries": _cell(case["countries"]),
        "city": case["city"] or "",
        "year": "" if case["year"] is None else str(case["year"]),
        "level_of_government": case["level_of_government"] or "",
        "themes": _cell(case["themes"]),
        "awards": _cell(a["name"] for a in case["awards"]) if case["awards"] else "",
        "sdgs": _cell(case["sdgs"]),
        "sources": _cell(case["sources"]),
    }
    for role in ("lead", "partner", "funder"):
        row[f"{role}_actors"] = _cell([a["name"] for a in case["actors"] if a["role"] == role])
    return {c: row[c] for c in COLUMNS}


def to_record(case: dict[str, Any]) -> dict[str, Any]:
    """A case as a YAML-style record (the richer form: actor types and countries, regions)."""
    rec: dict[str, Any] = {"id": case["id"]}
    for key in ("title", "summary", "countries", "region", "city", "year", "level_of_government"):
        if case.get(key) not in (None, [], ""):
            rec[key] = case[key]
    rec["actors"] = [dict(a) for a in case["actors"]]
    for key in ("themes", "awards", "sdgs", "sources"):
        if case[key]:
            rec[key] = case[key]
    return rec


def generate_rows(n: int, seed: int = 1, violations: bool = True) -> list[dict[str, str]]:
    """n CSV rows of the import format."""
    return [to_row(c) for c in generate_cases(n, seed, violations)]


def generate_records(n: int, seed: int = 1, violations: bool = True) -> list[dict[str, Any]]:
    """n YAML-style records (what one data/cases/<id>.yaml file holds)."""
    return [to_record(c) for c in generate_cases(n, seed, violations)]


def write_csv(rows: list[dict[str, str]], out: Path | str) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True, help="number of cases")
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-violations", action="store_true", help="no deliberate problems")
    args = parser.parse_args(argv)
    if args.cases < 0:
        parser.error("--cases must be >= 0")
    path = write_csv(generate_rows(args.cases, args.seed, not args.no_violations), args.out)
    print(f"wrote {args.cases} cases to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
