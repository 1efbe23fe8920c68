"""Incremental builds (opsi_kg.incremental): after any edit, the same result as a full build.

The differential tests edit generated records at random (titles, countries, actors shared with
other records, award years that make two records disagree, deleted, added, duplicated and broken
files) and compare each cached build with a full build of the same input: triples, report,
quarantine, records. Other tests check that only the changed records are redone, and that a
damaged, stale or interrupted cache never gives a wrong result.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
import yaml

from opsi_kg import incremental
from opsi_kg.export import write_exports
from opsi_kg.pipeline import build
from tests.generated import bench_generator


def assert_same_build(cached, full) -> None:
    assert cached.asserted_triples == full.asserted_triples
    assert cached.inferred_triples == full.inferred_triples
    assert Counter(cached.report.results) == Counter(full.report.results)
    assert cached.report.quarantined == full.report.quarantined
    assert (cached.report.read, cached.report.built) == (full.report.read, full.report.built)
    assert cached.sources == full.sources
    assert cached.records == full.records


def write(folder: Path, name: str, record: dict | str) -> None:
    text = record if isinstance(record, str) else yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    (folder / name).write_text(text, encoding="utf-8")


def read(path: Path) -> dict | None:
    try:
        found = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    return found if isinstance(found, dict) else None


def retitle(folder: Path, index: int, title: str) -> None:
    """Give the index-th record of ``folder`` (in name order) a new title."""
    path = sorted(folder.glob("*.yaml"))[index]
    rec = read(path)
    rec["title"] = title
    write(folder, path.name, rec)


@pytest.fixture
def cases(tmp_path) -> Path:
    """60 generated records (shared actor pools, deliberate errors) and two records whose award
    years disagree (a SHACL violation across records: both are quarantined)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for rec in bench_generator().generate_records(60, seed=7):
        write(folder, f"{rec['id']}.yaml", rec)
    for n, year in ((1, 2019), (2, 2020)):
        write(
            folder,
            f"prize-{n}.yaml",
            {
                "id": f"prize-{n}",
                "title": f"Prize case {n}",
                "countries": ["France"],
                "year": 2018,
                "themes": ["digital-government"],
                "sources": ["https://example.org/p"],
                "actors": [{"name": "City of Lyon", "role": "lead"}],
                "awards": [{"name": "Innovation Prize", "year": year}],
            },
        )
    return folder


def edit_at_random(folder: Path, rng: random.Random) -> str:
    """One random edit of the records in ``folder``; returns what it did."""
    files = sorted(folder.glob("*.yaml"))
    path = rng.choice(files)
    rec = read(path)
    if rec is None:
        path.unlink()
        return f"deleted the broken {path.name}"
    other = read(rng.choice(files)) if rng.random() < 0.5 else None
    kind = rng.choice(
        ["title", "country", "actor", "drop-actor", "award", "delete", "add", "duplicate", "break", "touch", "acronym"]
    )
    if kind == "title":
        rec["title"] = f"{rec.get('title') or 'Untitled'} (rev {rng.randrange(1000)})"
    elif kind == "country":
        rec["countries"] = [rng.choice(["France", "Germany", "Chile", "Kenya", "Frnace", "Canada"])]
    elif kind == "actor":
        pool = [a for a in (other or {}).get("actors", []) if isinstance(a, dict)]
        new = dict(rng.choice(pool)) if pool else {"name": f"Agency {rng.randrange(50)}", "role": "partner"}
        if rng.random() < 0.3:
            new["type"] = rng.choice(["government", "ngo", "private"])  # may disagree with other records
        rec["actors"] = [*rec.get("actors", []), new]
    elif kind == "drop-actor" and rec.get("actors"):
        rec["actors"] = rec["actors"][1:]
    elif kind == "award":
        rec["awards"] = [{"name": "Innovation Prize", "year": rng.choice([2019, 2020, 2021])}]
    elif kind == "delete":
        path.unlink()
        return f"deleted {path.name}"
    elif kind == "add":
        new = bench_generator().generate_records(1, seed=rng.randrange(10_000))[0]
        new["id"] = f"new-{rng.randrange(10_000)}"
        write(folder, f"{new['id']}.yaml", new)
        return f"added {new['id']}"
    elif kind == "duplicate" and other is not None:
        rec["id"] = other.get("id", rec.get("id"))
    elif kind == "break":
        path.write_text("title: [unclosed\n", encoding="utf-8")
        return f"broke {path.name}"
    elif kind == "touch":
        path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        return f"touched {path.name}"
    elif kind == "acronym":
        rec["actors"] = [
            *rec.get("actors", []),
            {"name": "Office for Innovation (OFI)", "role": "partner"},
            {"name": "OFI", "role": "funder"},
        ]
    write(folder, path.name, rec)
    return f"{kind} in {path.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_give_the_full_build(cases, tmp_path, seed):
    rng = random.Random(seed)
    cache = tmp_path / "build.cache"
    assert_same_build(build(cases, cache=cache), build(cases))
    for _ in range(8):
        done = [edit_at_random(cases, rng) for _ in range(rng.choice([1, 1, 2, 3]))]
        cached, full = build(cases, cache=cache), build(cases)
        try:
            assert_same_build(cached, full)
        except AssertionError as exc:
            raise AssertionError(f"after {done}: {exc}") from exc


def test_the_prize_conflict_quarantines_both_and_an_edit_resolves_it(cases, tmp_path):
    cache = tmp_path / "build.cache"
    first = build(cases, cache=cache)
    assert {"cases/prize-1.yaml", "cases/prize-2.yaml"} <= set(first.report.quarantined)
    rec = read(cases / "prize-2.yaml")
    rec["awards"][0]["year"] = 2019
    write(cases, "prize-2.yaml", rec)
    messages: list[str] = []
    again = build(cases, cache=cache, progress=messages.append)
    assert "build cache: 1 records new or changed, 0 gone, 61 unchanged" in messages
    assert not {"cases/prize-1.yaml", "cases/prize-2.yaml"} & set(again.report.quarantined)
    assert_same_build(again, build(cases))


def test_only_changed_records_are_normalised_and_mapped(cases, tmp_path, monkeypatch):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    import opsi_kg.mapping
    import opsi_kg.normalise

    calls = Counter()

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    for module, name in ((opsi_kg.normalise, "normalise"), (opsi_kg.mapping, "record_nt")):
        monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
    retitle(cases, 5, "A new title")
    result = build(cases, cache=cache)
    assert calls == {"normalise": 1, "record_nt": 1}
    assert any(t[2] == '"A new title"@en' for t in result.asserted_triples)


def test_exports_of_a_cached_build_are_the_full_builds_bytes(cases, tmp_path):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    path = sorted(cases.glob("*.yaml"))[3]
    rec = read(path)
    rec["countries"] = ["Chile", "Kenya"]
    write(cases, path.name, rec)
    write_exports(build(cases, cache=cache), tmp_path / "cached")
    write_exports(build(cases), tmp_path / "full")
    names = sorted(p.name for p in (tmp_path / "full").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cached").iterdir())
    for name in names:
        assert (tmp_path / "cached" / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name


def test_a_table_input_compares_rows(tmp_path):
    gen = bench_generator()
    rows = gen.generate_rows(40, seed=3)
    table = gen.write_csv(rows, tmp_path / "cases.csv")
    cache = tmp_path / "build.cache"
    build(table, cache=cache)
    rows[10]["title"] = "Edited row"
    rows[20]["countries"] = "Narnia"
    gen.write_csv(rows, table)
    messages: list[str] = []
    cached = build(table, cache=cache, progress=messages.append)
    assert "build cache: 2 records new or changed, 0 gone, 38 unchanged" in messages
    assert_same_build(cached, build(table))


@pytest.mark.parametrize("damage", [b"", b"not a database", None])
def test_a_damaged_cache_means_a_full_build(cases, tmp_path, damage):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    if damage is None:  # a cache made for another base IRI
        messages: list[str] = []
        result = build(cases, cache=cache, base="https://example.org/id/", progress=messages.append)
        assert any("changed; building everything" in m for m in messages)
        assert_same_build(result, build(cases, base="https://example.org/id/"))
        return
    cache.write_bytes(damage)
    messages = []
    result = build(cases, cache=cache, progress=messages.append)
    assert any(m.startswith("build cache: ") and "building everything" in m for m in messages)
    assert_same_build(result, build(cases))
    messages = []
    build(cases, cache=cache, progress=messages.append)  # and the cache is whole again
    assert "build cache: 0 records new or changed, 0 gone, 62 unchanged" in messages


def test_an_interrupted_build_leaves_the_last_cache(cases, tmp_path, monkeypatch):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    retitle(cases, 8, "Edited before a crash")

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(incremental, "revalidate", crash)
    with pytest.raises(KeyboardInterrupt):
        build(cases, cache=cache)
    monkeypatch.undo()
    messages: list[str] = []
    result = build(cases, cache=cache, progress=messages.append)
    assert "build cache: 1 records new or changed, 0 gone, 61 unchanged" in messages
    assert_same_build(result, build(cases))


def test_the_reference_engines_never_use_the_cache(cases, tmp_path):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache, validator="pyshacl")
    assert not cache.exists()


def test_the_cli_keeps_a_cache_for_a_folder(cases, tmp_path):
    import io

    from opsi_kg.cli import main

    def run(*argv: str) -> str:
        err = io.StringIO()
        assert main(["build", "--data", str(cases), *argv], io.StringIO(), err) in (0, 1)
        return err.getvalue()

    first = run("--out", str(tmp_path / "a"))
    assert "[INFO] build cache: no cache yet; building everything" in first
    retitle(cases, 2, "Edited")
    second = run("--out", str(tmp_path / "b"))
    assert "[INFO] build cache: 1 records new or changed, 0 gone, 61 unchanged" in second
    third = run("--out", str(tmp_path / "c"), "--no-cache")
    assert "build cache" not in third
    for name in ("opsi-kg.ttl", "opsi-kg.nt", "validation-report.md"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name


def test_a_cache_that_cannot_be_written_means_a_build_without_it(cases, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    messages: list[str] = []
    result = build(cases, cache=blocker / "build.cache", progress=messages.append)
    assert any("building without the cache" in m for m in messages)
    assert_same_build(result, build(cases))


def test_an_edit_that_needs_the_whole_graph_builds_without_the_cache(cases, tmp_path, monkeypatch):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    retitle(cases, 4, "Edited")
    from opsi_kg import rules

    real = rules.RuleSet.infer_record
    monkeypatch.setattr(rules.RuleSet, "infer_record", lambda self, t, base: (real(self, t, base)[0], False))
    messages: list[str] = []
    result = build(cases, cache=cache, progress=messages.append)
    assert any("joins other records' inferences; building without the cache" in m for m in messages)
    assert not cache.exists()
    monkeypatch.undo()
    assert_same_build(result, build(cases))


def test_a_result_reads_its_records_after_other_builds_of_the_same_input(cases, tmp_path):
    cache = tmp_path / "build.cache"
    build(cases, cache=cache)
    early = build(cases, cache=cache)  # its triples are read from the cache when first used
    build(cases, cache=cache)
    assert_same_build(early, build(cases))
    stale = build(cases, cache=cache)
    retitle(cases, 6, "Edited by another build")
    build(cases, cache=cache)
    with pytest.raises(RuntimeError, match="changed for cases/.* since this build: build again"):
        len(stale.asserted_triples)
