"""Incremental builds: redo only what an edit can change, with the same result as a full build.

A build with a cache (``build(data, cache=path)``; ``opsi-kg build`` keeps one unless
``--no-cache``) keeps, per record, a digest of its input and the work of every per-record stage.
The next build of the same input redoes only the records whose input changed:

* **load** parses only the changed files of a folder (unchanged size and modification time, or
  unchanged bytes, mean unchanged); a table is re-read whole and its rows compared one by one;
* **normalise** runs only on changed records. Organisation names are shared across records (see
  :class:`~opsi_kg.normalise.ActorRegistry`), so the registry re-learns every record's names
  (kept in the cache) and replays each unchanged record's name resolutions; a difference means a
  full build;
* **map** and **reason** run only on changed records: the compiled OWL RL rules are exact per
  record (:meth:`~opsi_kg.rules.RuleSet.infer_record`); a record that is not local (schema
  triples, joins across records) means a build without the cache;
* **validate** re-checks only the focus nodes whose triples changed and the nodes whose shape
  paths reach them (:func:`affected_focus`), over the triples the shapes can read from them
  (:func:`neighbourhood`); the other nodes keep their results. Quarantine works as in a full
  build: validate all records, then again without the records with violations.

A graph is the union of its records' triples. To know whether a triple an edit removes is still
given by another record, the cache keeps which records mention each node (:attr:`State.mentions`)
and which give each triple about a vocabulary node (:attr:`State.foreign`); nothing is counted
over the whole graph, and the result's triple sets are put together only when asked for.

The result, report and exports equal those of a full build of the same input (the test suite
checks it on random edits). Anything the cache cannot vouch for (another version of the code,
ontology or shapes, another input path or base IRI, the reference engines, a damaged cache, many
changed records) gives a full build, which writes a fresh cache. The cache is a pickle written
atomically: a private file of this tool, not an exchange format; only load caches you made.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from .records import READERS, RawRecord
from .report import Result, Severity
from .terms import Triple, from_nt, gc_paused

CACHE_VERSION = 4
FULL_BUILD_SHARE = 0.25  # more changed records than this share: a full build is quicker
LOCK_WAIT = 60.0  # seconds to wait for another build holding the cache
RACY_NS = 2_000_000_000  # files modified this close to the cache's time are hashed, not trusted by stat


class CacheMiss(Exception):
    """The cache cannot give an exact incremental build; the message says why."""


class Uncacheable(Exception):
    """The data needs the whole-graph engines (schema triples, joins across records)."""


@dataclass
class Entry:
    """What the cache keeps in memory about one record (one file, or one row of a table); the
    rest (its triples, the record itself) is a row of the cache read only when needed."""

    digest: bytes  # of the record's input
    stat: tuple[int, int] | None  # (size, mtime_ns) of its file, for a folder
    names: list[str]  # its organisation names, as the registry learns them
    log: list[tuple[str, tuple]]  # the registry resolutions its normalisation asked for, in order
    results: list[Result]  # what normalisation reported
    slug: str | None  # None: normalisation quarantined it
    nodes: list[str] = field(default_factory=list)  # the IRIs it is the source of (record_nodes)

    def __reduce__(self):  # a plain tuple pickles and loads several times faster
        return (Entry, (self.digest, self.stat, self.names, self.log, self.results, self.slug, self.nodes))


@dataclass
class Payload:
    """The per-record work kept in the cache: read only for the records an edit touches."""

    record: Any  # the CaseRecord
    triples: list[Triple]  # mapped
    inferred: set[Triple]  # reasoned, per record
    terms: list[str]  # the non-vocabulary nodes its triples mention
    foreign: list[Triple]  # its triples about vocabulary nodes
    digest: bytes = b""  # of the input it was made from (see Entry.digest)


@dataclass
class State:
    """A build as the cache holds it (one row of the cache's meta table)."""

    fingerprint: str
    written_ns: int  # when the cache was written (for the racy-file check)
    input_digest: bytes | None  # a whole-file digest for file inputs
    order: list[str]  # record sources, in input order
    entries: dict[str, Entry]
    learned: tuple  # the actor registry after learning every name
    foreign: dict[Triple, list[str]]  # triple about a vocabulary node -> the records giving it
    first: dict[str, list[Result]]  # focus -> results over all normalised records (sources blank)
    second: dict[str, list[Result]]  # focus -> results over the built records (sources blank)
    normalised: list[str]  # the records normalisation kept (the first validation's graph)
    failing: list[str]  # of those, the records validation quarantined
    vocabulary: frozenset[Triple]  # the vocabularies' triples, canonical (slow to make)


# -- fingerprints


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def fingerprint(data: Path, base: str) -> str:
    """What a cache is valid for: this code, these vocabularies and shapes, this input and base."""
    from .resources import ontology_dir, shapes_dir

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CACHE_VERSION}\0{Path(data).resolve()}\0{base}\0".encode())
    files = sorted(Path(__file__).parent.rglob("*.py"))
    for folder in (ontology_dir(), shapes_dir()):
        files += sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def default_cache(data: Path, base: str) -> Path:
    """The cache file ``opsi-kg`` uses for an input by default: one per input and base, in the
    folder named by ``OPSI_KG_CACHE_DIR``, else .opsi-kg-cache/ in the working folder."""
    key = hashlib.blake2b(f"{Path(data).resolve()}\0{base}".encode(), digest_size=8).hexdigest()
    folder = Path(os.environ.get("OPSI_KG_CACHE_DIR") or ".opsi-kg-cache")
    return folder / f"{Path(data).resolve().name or 'input'}-{key}.sqlite"


def _raw_digest(raw: RawRecord) -> bytes:
    notes = getattr(raw, "notes", ())
    return _digest(pickle.dumps((raw.source, raw.data, raw.error, raw.stem, raw.field_errors, notes), protocol=5))


def _learn_state(registry) -> tuple:
    return (registry.acronyms, registry.ambiguous, registry.learned)


# -- reading the input, only as much as changed


@dataclass
class Scan:
    order: list[str]  # record sources in input order
    digests: dict[str, bytes]
    stats: dict[str, tuple[int, int] | None]
    raws: dict[str, RawRecord]  # the new or changed records, read
    whole: bytes | None  # digest of a file input


def scan(data: Path, state: State | None) -> Scan:
    """The records of ``data``, reading only what changed since ``state``.

    A folder: a file whose size and modification time are unchanged is taken as unchanged
    (unless modified within two seconds of the cache, when its bytes are compared); others are
    hashed, and parsed only when their bytes changed. A file: unchanged bytes mean nothing
    changed; else it is read whole and its records compared.
    """
    from .records import _yaml_file, load_records, record_files

    cached = state.entries if state is not None else {}
    if data.is_dir():
        out = Scan([], {}, {}, {}, None)
        racy = state.written_ns - RACY_NS if state is not None else 0
        for path, shown, st in record_files(data):
            old = cached.get(shown)
            stat = (st.st_size, st.st_mtime_ns)
            out.order.append(shown)
            out.stats[shown] = stat
            if old is not None and old.stat == stat and stat[1] < racy:
                out.digests[shown] = old.digest
                continue
            try:
                digest = _digest(Path(path).read_bytes())
            except OSError:
                digest = b""  # unreadable: the reader says why
            out.digests[shown] = digest
            if old is None or old.digest != digest or not digest:
                (out.raws[shown],) = _yaml_file(Path(path), shown)
        return out
    if not data.exists() or data.suffix.lower() not in READERS:
        raise CacheMiss("not an input the cache knows")  # the full build reports the problem
    whole = _digest(data.read_bytes())
    if state is not None and state.input_digest == whole:
        digests = {s: cached[s].digest for s in state.order}
        return Scan(list(state.order), digests, dict.fromkeys(state.order), {}, whole)
    out = Scan([], {}, {}, {}, whole)
    for raw in load_records(data):
        digest = _raw_digest(raw)
        out.order.append(raw.source)
        out.digests[raw.source] = digest
        out.stats[raw.source] = None
        old = cached.get(raw.source)
        if old is None or old.digest != digest:
            out.raws[raw.source] = raw
    return out


# -- the cache file


class CacheFile:
    """The build cache: an SQLite file. One row holds the :class:`State`; one row per record its
    :class:`Payload`; an indexed table says which records mention which node. A build changes it
    in one transaction, so a crash leaves the cache of the last build; a fresh cache is written
    beside and moved into place."""

    SCHEMA = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
        CREATE TABLE payloads(source TEXT PRIMARY KEY, value BLOB);
        CREATE TABLE mentions(node TEXT, source TEXT);
        CREATE INDEX mentions_node ON mentions(node);
        CREATE INDEX mentions_source ON mentions(source);
    """

    def __init__(self, path: Path, fresh: bool = False):
        self.path = Path(path)
        self.fresh = fresh
        if fresh:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            os.close(fd)
            self.tmp = Path(tmp)
            self.db = sqlite3.connect(self.tmp, isolation_level=None, timeout=LOCK_WAIT)
            self.db.executescript(self.SCHEMA)
        else:
            if not self.path.exists():
                raise CacheMiss("no cache yet")
            # Another build of the same input holds the cache for a second or two: wait for it.
            self.db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None, timeout=LOCK_WAIT)
            # A write-ahead log: a build's changes are appended and committed at once (atomic);
            # a crash can lose the last build's cache, never mix two.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("BEGIN IMMEDIATE")
        self._mentions: dict[str, list[str]] = {}

    def state(self, fp: str) -> State:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
            with gc_paused():
                version, state = pickle.loads(row[0])
        except Exception as exc:  # a damaged or foreign cache is rebuilt, never trusted
            raise CacheMiss(f"unreadable cache ({type(exc).__name__})") from None
        if version != CACHE_VERSION or not isinstance(state, State):
            raise CacheMiss("a cache of another version")
        if state.fingerprint != fp:
            raise CacheMiss("the code, vocabularies, shapes, input path or base changed")
        return state

    def engines(self) -> tuple[Any, Any]:
        """The compiled rules and the concept indexes kept by :meth:`keep_engines`."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'engines'").fetchone()
        if row is None:
            raise CacheMiss("the cache lacks the engines")
        return pickle.loads(row[0])

    def keep_engines(self, rules, vocabulary) -> None:
        """Keep what parsing the vocabularies gives (the same for every build with this fingerprint)."""
        value = pickle.dumps((rules, vocabulary), protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('engines', ?)", (value,))

    def payload(self, source: str) -> Payload:
        row = self.db.execute("SELECT value FROM payloads WHERE source = ?", (source,)).fetchone()
        if row is None:
            raise CacheMiss(f"the cache lacks {source}")
        with gc_paused():
            return pickle.loads(row[0])

    def get(self, node: str, default=()) -> list[str]:
        """The records whose triples mention ``node`` (a look-up map for :class:`RecordGraph`)."""
        found = self._mentions.get(node)
        if found is None:
            rows = self.db.execute("SELECT source FROM mentions WHERE node = ?", (node,)).fetchall()
            found = self._mentions[node] = [r[0] for r in rows]
        return found or default

    def replace_records(self, gone: Iterable[str], made: dict[str, Payload]) -> None:
        """Take out the rows of ``gone`` records and put in those of ``made`` ones."""
        self._mentions.clear()
        gone = [(s,) for s in gone]
        self.db.executemany("DELETE FROM payloads WHERE source = ?", gone)
        self.db.executemany("DELETE FROM mentions WHERE source = ?", gone)
        with gc_paused():  # pickled one at a time as SQLite takes them
            rows = ((s, pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for s, p in made.items())
            self.db.executemany("INSERT OR REPLACE INTO payloads VALUES (?, ?)", rows)
        self.db.executemany("INSERT INTO mentions VALUES (?, ?)", ((n, s) for s, p in made.items() for n in p.terms))

    def commit(self, state: State) -> None:
        with gc_paused():
            value = pickle.dumps((CACHE_VERSION, state), protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (value,))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (state.fingerprint,))
        self.db.execute("COMMIT")
        self.db.close()
        if self.fresh:
            for stale in ("-wal", "-shm"):  # the log of the cache this one replaces
                Path(f"{self.path}{stale}").unlink(missing_ok=True)
            os.replace(self.tmp, self.path)

    def abandon(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        self.db.close()
        if self.fresh:
            self.tmp.unlink(missing_ok=True)


# -- validation results without and with their sources


def by_focus(results: Iterable[Result]) -> dict[str, list[Result]]:
    """Validation results grouped by focus node, sources blanked (one copy per distinct result)."""
    grouped: dict[str, dict[Result, None]] = {}
    for r in results:
        grouped.setdefault(r.focus_node, {})[replace(r, source="") if r.source else r] = None
    return {f: list(rs) for f, rs in grouped.items()}


def attribute(results: dict[str, list[Result]], sources: dict[str, list[str]]) -> list[Result]:
    """Results kept without sources, attributed to the records their focus node comes from (as
    a full build's validation attributes them)."""
    out = []
    for focus, found in results.items():
        owners = sources.get(focus)
        if not owners:
            out.extend(found)
        else:
            out.extend(
                Result(r.severity, r.message, s, r.field, r.focus_node, r.path, r.source_shape, r.constraint, r.value)
                for s in owners
                for r in found
            )
    return out


def failing_sources(results: dict[str, list[Result]], sources: dict[str, list[str]]) -> set[str]:
    failing: set[str] = set()
    for focus, found in results.items():
        if any(r.severity is Severity.ERROR for r in found):
            failing.update(s for s in sources.get(focus, ()) if s)
    return failing


def _sources(entries: dict[str, Entry], chosen: Iterable[str]) -> dict[str, list[str]]:
    """:func:`~opsi_kg.mapping.subject_sources` of the chosen records, from the cache."""
    from .mapping import group_sources

    return group_sources((s, entries[s].nodes) for s in chosen)


# -- the graph as records


class RecordGraph:
    """A graph given as the union of some records' triples (and the vocabularies), looked up
    through the records that mention a node instead of an index over all the triples."""

    def __init__(self, members: set[str], contribution: Callable[[str], set[Triple]], mentions, foreign, fixed):
        self.members = members  # the records in this graph
        self.contribution = contribution  # record -> its triples, asserted and inferred
        self.mentions = mentions  # node -> records mentioning it
        self.foreign = foreign  # triple about a vocabulary node -> records giving it
        self.fixed = fixed  # triples every graph holds (vocabularies, what they entail alone)

    def has(self, t: Triple, candidates: Iterable[str] = ()) -> bool:
        if t in self.fixed:
            return True
        givers = self.foreign.get(t)
        if givers is None:
            givers = self.mentions.get(t[0], ())
        return any(r in self.members and t in self.contribution(r) for r in chain(givers, candidates))

    def scan_about(self, nodes: set[str]) -> set[Triple]:
        """:meth:`about` for nodes the look-up maps do not cover (vocabulary nodes): reads every
        member record (slow, and rare: only when the type of a vocabulary node changes)."""
        found = {t for t, givers in self.foreign.items() if t[0] in nodes and any(r in self.members for r in givers)}
        for r in self.members:
            found.update(t for t in self.contribution(r) if t[0] in nodes or t[2] in nodes)
        return found

    def about(self, nodes: Iterable[str]) -> set[Triple]:
        """Every triple (beyond the vocabularies) whose subject or object is one of ``nodes``."""
        nodes = set(nodes)
        found: set[Triple] = set()
        records: set[str] = set()
        for n in nodes:
            records.update(r for r in self.mentions.get(n, ()) if r in self.members)
        for r in records:
            found.update(t for t in self.contribution(r) if t[0] in nodes or t[2] in nodes)
        for t, givers in self.foreign.items():
            if (t[0] in nodes or t[2] in nodes) and any(r in self.members for r in givers):
                found.add(t)
        return found


def shape_reach(program) -> tuple[int, frozenset[str], frozenset[str]]:
    """(longest path, forward predicates, backward predicates) of the shapes' paths and targets."""
    longest = 1
    for shape in program.shapes:
        for member in (shape, *shape.properties):
            if member.path is not None:
                longest = max(longest, len(member.path))
    from .fastshacl import SUBCLASS, TYPE

    return longest, program.forward, program.backward - {TYPE, SUBCLASS}


def affected_focus(changed: Iterable[Triple], graph: RecordGraph, program, vocab_terms) -> set[str]:
    """The nodes whose SHACL results can differ after the ``changed`` triples came or went.

    A result on a focus node depends on the triples along its shapes' paths, from the focus node
    on, and on the types of the nodes at their ends (sh:class). So: the subjects of changed
    triples; the nodes reaching one of them in fewer steps than the longest path; and the nodes
    reaching a node whose types changed in as many steps as the longest path.
    """
    from .fastshacl import TYPE

    longest, forward, _ = shape_reach(program)
    found: set[str] = set()
    typed: set[str] = set()  # nodes with a changed type
    for s, p, _o in changed:
        found.add(s)
        if p == TYPE:
            typed.add(s)
    for start, steps in ((set(found), longest - 1), (typed, longest)):
        frontier, seen = set(start), set(start)
        for _ in range(steps):
            if not frontier:
                break
            unmapped = frontier & vocab_terms  # not in the look-up maps
            triples = graph.about(frontier - unmapped) | (graph.scan_about(unmapped) if unmapped else set())
            before = {s for s, p, o in triples if o in frontier and p in forward}
            frontier = before - seen
            seen |= before
        found |= seen
    return found


def neighbourhood(focus: set[str], graph: RecordGraph, program) -> set[Triple]:
    """The triples the shapes can read from the ``focus`` nodes: every triple about them, then
    about the nodes their paths reach, to the longest path (beyond the vocabularies)."""
    longest, forward, _ = shape_reach(program)
    found = graph.about(focus)
    seen = set(focus)
    frontier = set(focus)
    for _ in range(longest):
        reached = set()
        for s, p, o in found:
            if s in frontier and p in forward and o[0] in "<_":
                reached.add(o)
        frontier = reached - seen
        if not frontier:
            break
        seen |= frontier
        found |= graph.about(frontier)
    return found


def revalidate(program, old: dict[str, list[Result]], changed: list[Triple], graph: RecordGraph, fixed, vocab_terms):
    """``old`` results by focus, with the nodes the changed triples affect validated again."""
    if not changed:
        return old
    focus = affected_focus(changed, graph, program, vocab_terms)
    index = program.index(fixed, neighbourhood(focus, graph, program))
    fresh = by_focus(program.validate(index, {}, focus=focus))
    redone = {str(from_nt(f)) for f in focus}  # results name focus nodes as plain IRIs
    new = {f: rs for f, rs in old.items() if f not in redone}
    new.update(fresh)
    return new


# -- the build


def _logging_registry():
    from .normalise import ActorRegistry

    class LoggingRegistry(ActorRegistry):
        """An actor registry that notes every resolution asked of it (the replay log)."""

        log: list | None = None

        def resolve(self, name: str):
            found = super().resolve(name)
            if self.log is not None:
                self.log.append((name, found))
            return found

    return LoggingRegistry()


def build_cached(data: Path, base: str, cache: Path, progress: Callable[[str], None]):
    """:func:`opsi_kg.pipeline.build` with a build cache (see the module docstring)."""
    from .pipeline import build

    fp = fingerprint(data, base)
    try:
        try:
            return _attempt(data, base, cache, fp, progress, fresh=False)
        except CacheMiss as why:
            progress(f"build cache: {why}; building everything")
        return _attempt(data, base, cache, fp, progress, fresh=True)
    except Uncacheable as why:
        progress(f"build cache: {why}; building without the cache")
        cache.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:  # a cache folder that cannot be written, a full disk
        progress(f"build cache: cannot use {cache} ({exc}); building without the cache")
    return build(data, base=base, progress=progress)


def _attempt(data: Path, base: str, cache: Path, fp: str, progress, fresh: bool):
    try:
        db = CacheFile(cache, fresh=fresh)
    except sqlite3.DatabaseError:
        if fresh:
            raise
        raise CacheMiss("unreadable cache") from None
    try:
        return _build(data, base, db, None if fresh else db.state(fp), fp, progress)
    except BaseException:
        db.abandon()
        raise


def _build(data: Path, base: str, db: CacheFile, state: State | None, fp: str, progress):
    from . import fastshacl, rules
    from .mapping import record_nodes, record_nt
    from .namespaces import Iris
    from .normalise import _all_actor_names, duplicate_id, normalise
    from .pipeline import BuildResult, remember_vocabulary_triples, vocabulary_triples
    from .report import Report
    from .vocab import vocabulary

    iris = Iris(base)
    try:
        if state is not None:  # the compiled rules and the concept indexes, as the last build made them
            rs, vocab = db.engines()
        else:
            rs = rules.default_rules()
            vocab = replace(vocabulary(), graph=None)  # normalising needs the indexes, not the graph
            db.keep_engines(rs, vocab)
        vocab_inferred = rs.combine([], [], base)  # what the vocabularies entail alone
        program = fastshacl.compile_shapes()
    except (rules.UnsupportedAxiom, fastshacl.UnsupportedShape) as exc:
        raise Uncacheable(f"the fast engines do not support this ontology or these shapes ({exc})") from None
    if shape_reach(program)[2]:
        raise Uncacheable("the shapes read paths backwards (sh:inversePath, sh:targetObjectsOf)")
    if state is not None:
        vocab_triples = remember_vocabulary_triples(state.vocabulary)
    else:
        vocab_triples = vocabulary_triples()
    fixed = vocab_triples | vocab_inferred
    vocab_terms = _vocab_terms(vocab_triples)

    progress(f"loading records from {data}")
    with gc_paused():
        found = scan(data, state)
    order, raws = found.order, found.raws
    old = state.entries if state is not None else {}
    gone = set(old) - set(order)
    changed = set(raws) | gone
    if state is not None and len(changed) > FULL_BUILD_SHARE * max(len(order), 1):
        raise CacheMiss(f"{len(changed)} of {len(order)} records changed")
    progress(f"build cache: {len(raws)} records new or changed, {len(gone)} gone, {len(order) - len(raws)} unchanged")

    # -- normalise the changed records; replay the others' organisation names
    progress(f"normalising {len(raws)} records")
    registry = _logging_registry()
    names = {s: list(_all_actor_names([raws[s]])) if s in raws else old[s].names for s in order}
    registry.learn(chain.from_iterable(names[s] for s in order))
    if state is not None and _learn_state(registry) != state.learned:
        raise CacheMiss("an edit changed which organisations share an acronym")
    entries: dict[str, Entry] = {}
    made: dict[str, Any] = {}  # source -> the record normalised this build
    with gc_paused():
        for s in order:
            if s not in raws:
                entry = entries[s] = old[s]
                if found.stats[s] is not None and entry.stat != found.stats[s]:
                    entry.stat = found.stats[s]  # touched, same bytes
                for name, resolution in entry.log:
                    if registry.resolve(name) != resolution:
                        raise CacheMiss("an edit changed how other records' organisation names resolve")
                continue
            registry.log = []
            rec, results = normalise(raws[s], registry, vocab)
            entries[s] = Entry(found.digests[s], found.stats[s], names[s], registry.log, results, None)
            registry.log = None
            if rec is not None:
                entries[s].slug = rec.slug
                entries[s].nodes = record_nodes(rec, iris.base)
                made[s] = rec

    progress(f"mapping {len(made)} records to RDF")
    with gc_paused():
        mapped = {s: record_nt(rec, iris) for s, rec in made.items()}
    progress(f"reasoning (OWL 2 RL, rules) over the triples of {len(made)} records")
    fresh: dict[str, Payload] = {}
    with gc_paused():
        for s, triples in mapped.items():
            inferred, local = rs.infer_record(triples, base)
            if not local:
                raise Uncacheable(f"{s} holds schema triples or joins other records' inferences")
            both = list(chain(triples, inferred))
            terms = {n for t in both for n in (t[0], t[2]) if n[0] in "<_"} - vocab_terms
            about_vocab = sorted(t for t in both if t[0] in vocab_terms)
            fresh[s] = Payload(made[s], triples, inferred, sorted(terms), about_vocab, entries[s].digest)

    # Duplicate case ids: the later record (in input order) is quarantined, as in a full build.
    normalised, quarantined, results = [], [], []
    seen: dict[str, str] = {}
    for s in order:
        entry = entries[s]
        results.extend(entry.results)
        if entry.slug is not None and entry.slug in seen:
            results.append(duplicate_id(entry.slug, seen[entry.slug], s))
        elif entry.slug is not None:
            seen[entry.slug] = s
            normalised.append(s)
            continue
        quarantined.append(s)

    # -- the cache's rows follow the edits; the old rows of the changed records are read first
    payloads: dict[tuple[str, bool], Payload] = {}
    for s in sorted(changed):
        if s in old and old[s].slug is not None:
            payloads[(s, False)] = db.payload(s)
    db.replace_records([s for s in changed if s in old], fresh)
    foreign = state.foreign if state is not None else {}
    for s in sorted(changed):
        if (s, False) in payloads:
            for t in payloads[(s, False)].foreign:
                foreign[t].remove(s)
                if not foreign[t]:
                    del foreign[t]
        if s in fresh:
            for t in fresh[s].foreign:
                foreign.setdefault(t, []).append(s)

    sets: dict[tuple[str, bool], set[Triple]] = {}

    def payload(s: str, new: bool = True) -> Payload:
        """A record's payload: as now (``new``) or as cached before this build."""
        if new and s in fresh:
            return fresh[s]
        key = (s, False)
        if key not in payloads:
            payloads[key] = db.payload(s)
        return payloads[key]

    def contribution(s: str, new: bool = True) -> set[Triple]:
        """A record's triples, asserted and inferred."""
        key = (s, new and s in fresh)
        got = sets.get(key)
        if got is None:
            p = payload(s, new)
            got = sets[key] = set(p.triples) | p.inferred
        return got

    def delta(before: RecordGraph, after: RecordGraph, leaving: Iterable[str], entering: Iterable[str]) -> list[Triple]:
        """The triples whose presence differs between two graphs that differ by these records."""
        leaving, entering = list(leaving), list(entering)
        stay = set(leaving) & set(entering)
        touched: dict[Triple, None] = {}
        for s in leaving:
            touched.update(dict.fromkeys(contribution(s, False)))
        for s in entering:
            touched.update(dict.fromkeys(contribution(s, True)))
        for s in stay:  # a record in both graphs gives these triples to both: present in both
            for t in contribution(s, False) & contribution(s, True):
                touched.pop(t, None)
        both = leaving + entering
        return [t for t in touched if before.has(t, both) != after.has(t, both)]

    old_normalised = set(state.normalised) if state is not None else set()
    old_failing = set(state.failing) if state is not None else set()

    def old_graph(members: set[str]) -> RecordGraph:
        # Today's look-up maps serve the old graph too: they differ only in the changed records,
        # which every presence check is given as candidates.
        return RecordGraph(members, lambda s: contribution(s, False), db, foreign, fixed)

    def new_graph(members: set[str]) -> RecordGraph:
        return RecordGraph(members, contribution, db, foreign, fixed)

    progress(f"validating (SHACL, fast) what the {len(fresh)} mapped and {len(gone)} gone records change")
    with gc_paused():
        now_normalised = set(normalised)
        graph1 = new_graph(now_normalised)
        sources1 = _sources(entries, normalised)
        if state is None:
            first = _validate_all(program, [fresh[s] for s in normalised], fixed)
        else:
            leaving = sorted(s for s in old_normalised if s in changed or s not in now_normalised)
            entering = [s for s in normalised if s in changed or s not in old_normalised]
            changed1 = delta(old_graph(old_normalised), graph1, leaving, entering)
            first = revalidate(program, state.first, changed1, graph1, fixed, vocab_terms)
        failing = failing_sources(first, sources1)
        built = [s for s in normalised if s not in failing]
        now_built = set(built)
        if not failing:
            second = first
        elif state is None:
            progress(f"quarantined {len(failing)} records with violations; rebuilding without them")
            second = _validate_all(program, [fresh[s] for s in built], fixed)
        else:
            progress(f"quarantined {len(failing)} records with violations; rebuilding without them")
            old_built = old_normalised - old_failing
            leaving = sorted(s for s in old_built if s in changed or s not in now_built)
            entering = [s for s in built if s in changed or s not in old_built]
            graph2 = new_graph(now_built)
            changed2 = delta(old_graph(old_built), graph2, leaving, entering)
            second = revalidate(program, state.second, changed2, graph2, fixed, vocab_terms)

    sources2 = _sources(entries, built)
    report = Report(read=len(order))
    report.add(results)
    report.quarantined.extend(quarantined)
    shacl = attribute(first, sources1)
    if failing:
        report.quarantined.extend(sorted(failing))
        shacl = [r for r in shacl if r.source in failing] + attribute(second, sources2)
    report.add(shacl)
    report.built = len(built)

    progress("writing the build cache")
    written = time.time_ns()
    db.commit(
        State(
            fp,
            written,
            found.whole,
            order,
            entries,
            _learn_state(registry),
            foreign,
            first,
            second,
            normalised,
            sorted(failing),
            vocab_triples,
        )
    )
    made = {s: fresh[s] for s in built if s in fresh}
    loader = _Loader(db.path, fp, {s: entries[s].digest for s in built}, made, rs, base)
    engines = {"reason": "rules", "validate": "fast"}
    result = BuildResult(loader.records, loader.triples, None, report, sources2, base, engines)
    progress(report.summary())
    return result


class _Loader:
    """Puts a cached build's records and triple sets together when first asked for, from the
    cache: each record's payload as this build made or found it (another build of the same input
    may have written the cache since; a payload made from other input is refused)."""

    def __init__(self, path: Path, fp: str, built: dict[str, bytes], made: dict[str, Payload], rs, base: str):
        self.path, self.fp, self.built, self.made, self.rs, self.base = path, fp, built, made, rs, base

    def _payloads(self) -> Iterable[Payload]:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=LOCK_WAIT)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            wanted = set(self.built) - set(self.made)
            stored = {}
            if wanted and (row is None or row[0] != self.fp):
                raise RuntimeError(f"the build cache {self.path} was rebuilt for other code or data: build again")
            with gc_paused():
                for source, value in db.execute("SELECT source, value FROM payloads"):
                    if source in wanted:
                        stored[source] = pickle.loads(value)
            for s, digest in self.built.items():
                payload = self.made.get(s) or stored.get(s)
                if payload is None or payload.digest != digest:
                    raise RuntimeError(f"the build cache {self.path} changed for {s} since this build: build again")
                yield payload
        finally:
            db.close()

    def _read(self) -> None:
        """One pass over the payloads gives both the records and the triple sets."""
        with gc_paused():
            records, asserted, inferred = [], set(), []
            for p in self._payloads():
                records.append(p.record)
                asserted.update(p.triples)
                inferred.append(p.inferred)
            self._records = records
            self._triples = (asserted, self.rs.combine(inferred, asserted, self.base))

    def records(self) -> list:
        if not hasattr(self, "_records"):
            self._read()
        return self._records

    def triples(self) -> tuple[set[Triple], set[Triple]]:
        if not hasattr(self, "_triples"):
            self._read()
        return self._triples


def _validate_all(program, payloads: list[Payload], fixed) -> dict[str, list[Result]]:
    """Every focus node's results over the records' triples (a first build)."""
    index = program.index(fixed, chain.from_iterable(chain(p.triples, p.inferred) for p in payloads))
    return by_focus(program.validate(index, {}))


@lru_cache(maxsize=2)
def _vocab_terms(vocab_triples: frozenset[Triple]) -> frozenset[str]:
    """The nodes of the vocabularies (IRIs and blank nodes of their triples)."""
    return frozenset(n for t in vocab_triples for n in (t[0], t[2]) if n[0] in "<_")
