"""Stage 2, normalise: raw records to clean :class:`CaseRecord` objects.

Countries, themes, levels of government, actor types and regions resolve through the shipped
vocabularies; years are read from integers, dates and "July 2019"; organisations written
differently across the input become one actor. Every decision is kept on the record (as
:class:`Link`) and every problem is a :class:`~opsi_kg.report.Result` naming the source and field.
A record with an ERROR is quarantined: it is reported and not mapped.

>>> slugify("Office for National Statistics (ONS)")
'office-for-national-statistics-ons'
>>> parse_year("July 2019")
2019
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern
from typing import Any

from rdflib import URIRef

from .records import RawRecord
from .report import Result, Severity
from .terms import gc_paused  # noqa: F401  (re-exported for the importer)
from .vocab import ConceptIndex, Vocabulary, key, quoted, vocabulary

FIELDS = (
    "id",
    "title",
    "summary",
    "countries",
    "region",
    "city",
    "year",
    "level_of_government",
    "actors",
    "themes",
    "awards",
    "sdgs",
    "sources",
)
# CSV spreads the actors over three columns, one per role.
ROLE_COLUMNS = {"lead_actors": "lead", "partner_actors": "partner", "funder_actors": "funder"}
ROLES = ("lead", "partner", "funder")
_KNOWN_FIELDS = frozenset(FIELDS) | frozenset(ROLE_COLUMNS)
ACTOR_FIELDS = ("name", "role", "type", "country")
_ACTOR_FIELD_SET = frozenset(ACTOR_FIELDS)
MIN_YEAR = 1900
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[^()]{2,15})\)\s*$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
MAX_SLUG = 80
_SPACES = re.compile(r"[ \t]+")


def slugify(text: str) -> str:
    """A stable lowercase ASCII slug; non-Latin text gets a short hash so it is never empty."""
    words = [w for w in key(text).split() if w.isascii()]
    slug = "-".join(words)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    if not slug:
        slug = "x-" + hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:10]
    return slug


def next_year() -> int:
    """The latest year of launch accepted (next year: cases are announced before they start)."""
    now = time.time()
    if now - _NEXT_YEAR[0] > 60:  # the clock is read once a minute, not once a record
        _NEXT_YEAR[:] = [now, time.localtime(now).tm_year + 1]
    return int(_NEXT_YEAR[1])


_NEXT_YEAR: list[float] = [0.0, 0.0]


def parse_year(value: Any) -> int | None:
    """A year of launch from ``2019``, ``"2019"``, ``"2019-07-01"`` or ``"July 2019"``; else None.

    >>> parse_year("2019-07-01"), parse_year(2019.0), parse_year("2019/20")
    (2019, 2019, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.year
    if not isinstance(value, str):
        return None
    return _year_text(value.strip()) if len(value) < 100 else None


_YEAR = re.compile(r"(\d{4})(?:\.0)?")
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ].*)?")
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")


@lru_cache(maxsize=4096)
def _year_text(text: str) -> int | None:
    if m := _YEAR.fullmatch(text):
        return int(m.group(1))
    if m := _DATE.fullmatch(text):
        return int(m.group(1)) if 1 <= int(m.group(2)) <= 12 else None
    if m := _MONTH_YEAR.fullmatch(text):
        word = m.group(1).lower()
        if any(name.startswith(word) for name in MONTHS) and len(word) >= 3:
            return int(m.group(2))
    return None


@dataclass(frozen=True, slots=True)
class Link:
    """A normalisation decision: which raw value of which field became which IRI."""

    field: str
    raw: str
    target: URIRef


@dataclass(slots=True)
class Actor:
    slug: str
    name: str
    role: str
    acronym: str | None = None
    type: URIRef | None = None
    country: URIRef | None = None
    written: str = ""  # the name as written in the record (provenance: a Link to the actor IRI)
    field: str = ""  # the record field it was written in, e.g. "actors[2].name" or "lead_actors"


@dataclass(slots=True)
class Award:
    slug: str
    name: str
    year: int | None = None


@dataclass(slots=True)  # many of these in a large import
class CaseRecord:
    """A normalised case, ready to map."""

    source: str
    slug: str
    title: str | None = None
    summary: str | None = None
    countries: list[URIRef] = field(default_factory=list)
    regions: list[URIRef] = field(default_factory=list)
    place_name: str | None = None
    city: str | None = None
    year: int | None = None
    level: URIRef | None = None
    actors: list[Actor] = field(default_factory=list)
    themes: list[URIRef] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class _Checker:
    """Collects the results of normalising one record."""

    def __init__(self, source: str):
        self.source = source
        self.results: list[Result] = []

    def error(self, fld: str, message: str, value: Any = "") -> None:
        self.results.append(
            Result(Severity.ERROR, message, self.source, fld, source_shape="normalise", value=_show(value))
        )

    def warn(self, fld: str, message: str, value: Any = "") -> None:
        self.results.append(
            Result(Severity.WARNING, message, self.source, fld, source_shape="normalise", value=_show(value))
        )

    def info(self, fld: str, message: str, value: Any = "") -> None:
        self.results.append(
            Result(Severity.INFO, message, self.source, fld, source_shape="normalise", value=_show(value))
        )

    @property
    def failed(self) -> bool:
        return any(r.severity is Severity.ERROR for r in self.results)


def _show(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _text(chk: _Checker, data: dict, fld: str) -> str | None:
    value = data.get(fld)
    if value is None:
        return None
    if value.__class__ is str:  # the common case
        return _clean(value) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        chk.error(fld, f"expected text, found a {type(value).__name__}", value)
        return None
    text = _clean(value)
    return text or None


def _clean(text: str) -> str:
    """Collapse whitespace and drop control characters (they are not allowed in RDF literals)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        # Already clean: the common case. Names and codes repeat across an import: one string each.
        return intern(text) if len(text) <= 100 else text
    if len(text) <= 100:  # names and codes, which repeat across an import
        return _clean_short(text)
    return _clean_text(text)


@lru_cache(maxsize=1 << 15)
def _clean_short(text: str) -> str:
    return _clean_text(text)


def _clean_text(text: str) -> str:
    if text.isprintable():  # the common case: the only whitespace is " "
        return " ".join(text.split())
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)
    return _SPACES.sub(" ", text).strip()


def _values(chk: _Checker, data: dict, fld: str) -> list[Any]:
    """A multi-valued field as a list: a list, or one text with values separated by ';'."""
    value = data.get(fld)
    if value is None:
        return []
    if value.__class__ is list:  # the common case
        return [v for v in value if v is not None and v != ""]
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None and v != ""]
    if isinstance(value, (int, float, dict)) and not isinstance(value, bool):
        return [value]
    chk.error(fld, f"expected a list or text, found a {type(value).__name__}", value)
    return []


def _country_values(chk: _Checker, data: dict, vocab: Vocabulary) -> list[Any]:
    """The countries field's values; ``"France, Spain"`` is read as two countries (with a warning)
    when it is not one country name and every comma-separated part is one."""
    out: list[Any] = []
    for value in _values(chk, data, "countries"):
        if isinstance(value, str) and "," in value and vocab.countries.resolve(value) is None:
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if len(parts) > 1 and all(vocab.countries.resolve(p) is not None for p in parts):
                message = f"{_clean(value)!r} read as {len(parts)} countries: separate values with ';'"
                chk.warn("countries", message, value)
                out.extend(parts)
                continue
        out.append(value)
    return out


def _resolve(
    chk: _Checker, index: ConceptIndex, fld: str, raw: Any, links: list[Link], *, severity: Severity = Severity.ERROR
) -> URIRef | None:
    if raw.__class__ is str:  # the common case
        text = _clean(raw)
    elif not isinstance(raw, (str, int)) or isinstance(raw, bool):
        chk.error(fld, f"expected a {index.kind} name, found a {type(raw).__name__}", raw)
        return None
    else:
        text = _clean(str(raw))
    concept, message = _decide(index, text)
    if concept is None:
        (chk.error if severity is Severity.ERROR else chk.warn)(fld, message, text)
        return None
    if message:
        chk.info(fld, message, text)
    links.append(Link(fld, text, concept))
    return concept


def _decide(index: ConceptIndex, text: str) -> tuple[URIRef | None, str]:
    """(concept, "" or the INFO message) or (None, the problem), remembered per index: the same
    values come back on many rows of an import."""
    found = index.memo.get(text)
    if found is not None:
        return found
    concept = index.resolve(text)
    message = ""
    if concept is None:
        if key(text) in index.ambiguous:
            labels = sorted(index.labels.get(c, str(c)) for c in index.ambiguous[key(text)])
            message = f"ambiguous {index.kind} {quoted(text)}: could be {' or '.join(labels)}"
        else:
            message = index.explain_unknown(text)
    else:
        label = index.labels.get(concept, "")
        if key(text) != key(label) and key(text) != key(concept.rsplit("/", 1)[-1]):
            message = f"{text!r} -> {label} ({concept.rsplit('/', 1)[-1]})"
    if len(index.memo) > 50_000:
        index.memo.clear()
    index.memo[text] = (concept, message)
    return concept, message


@lru_cache(maxsize=1 << 14)
def split_acronym(name: str) -> tuple[str, str | None]:
    """``"Office for National Statistics (ONS)"`` -> ``("Office for National Statistics", "ONS")``."""
    m = _ACRONYM.match(name)
    if m and " " not in m.group("acronym").strip() and any(c.isupper() for c in m.group("acronym")):
        return m.group("name").strip(), m.group("acronym").strip()
    return name, None


def actor_key(name: str) -> str:
    """The comparison key of an organisation name: :func:`~opsi_kg.vocab.key`, without a leading
    "The" (``&`` already reads as "and").

    >>> actor_key("The Office for National Statistics.") == actor_key("office for national statistics")
    True
    """
    k = key(name)
    return k[4:] if k.startswith("the ") and len(k) > 4 else k


class ActorRegistry:
    """Gives one actor IRI to one organisation, however it is written across an input.

    Names are compared by :func:`actor_key` (case, accents, punctuation and a leading "The"
    ignored) without a bracketed acronym; an acronym written alone (``ONS``) joins the organisation
    that carries it in brackets (``Office for National Statistics (ONS)``), unless two
    organisations of the input carry the same acronym. The first spelling met (in source order)
    is the label; a name written only as its acronym takes the spelled-out name when the input
    has it.

    >>> reg = ActorRegistry()
    >>> reg.learn(["ONS", "Office for National Statistics (ONS)"])
    >>> reg.resolve("ONS")
    ('office-for-national-statistics', 'Office for National Statistics', 'ONS', True)
    >>> reg.resolve("office for national statistics")[0]
    'office-for-national-statistics'
    """

    def __init__(self) -> None:
        self.by_key: dict[str, tuple[str, str, str | None]] = {}  # key -> (slug, label, acronym)
        self.acronyms: dict[str, str] = {}  # acronym key -> name key
        self.ambiguous: dict[str, set[str]] = {}  # acronym key -> the name keys that carry it
        self.learned: dict[str, tuple[str, str | None]] = {}  # name key -> (first full spelling, acronym)
        self._resolved: dict[str, tuple[str, str, str | None, bool]] = {}  # stable once a name is seen
        self._ambiguous_names: dict[str, bool] = {}  # is_ambiguous, per written name

    def learn(self, names: Iterable[str]) -> None:
        self._ambiguous_names.clear()
        for name in names:
            base, acronym = split_acronym(name)
            if not acronym:
                continue
            ak, nk = key(acronym), actor_key(base)
            known = self.acronyms.setdefault(ak, nk)
            if known != nk:
                self.ambiguous.setdefault(ak, {known}).add(nk)
            self.learned.setdefault(nk, (base, acronym))

    def is_ambiguous(self, name: str) -> bool:
        """True when ``name`` is an acronym that two organisations of the input carry."""
        found = self._ambiguous_names.get(name)
        if found is None:
            base, acronym = split_acronym(name)
            found = self._ambiguous_names[name] = acronym is None and key(base) in self.ambiguous
        return found

    def resolve(self, name: str) -> tuple[str, str, str | None, bool]:
        """(slug, label, acronym, merged) for a written name; merged when it is not written the way
        the actor is named (``label (ACRONYM)``), i.e. when it joined a spelling seen elsewhere."""
        if name in self._resolved:
            return self._resolved[name]
        base, acronym = split_acronym(name)
        k = actor_key(base)
        if acronym is None and key(base) in self.acronyms and key(base) not in self.ambiguous:
            k = self.acronyms[key(base)]
        if k not in self.by_key:
            # The first spelling that gives the acronym in brackets names the organisation, else
            # the first spelling met.
            label, known = self.learned.get(k, (base, acronym))
            self.by_key[k] = (slugify(label), label, known)
        slug, label, known = self.by_key[k]
        found = self._resolved[name] = (slug, label, known or acronym, name != canonical_name(label, known))
        return found


def canonical_name(label: str, acronym: str | None) -> str:
    """How an actor is written in a record: ``Office for National Statistics (ONS)``."""
    return f"{label} ({acronym})" if acronym else label


def _actors(chk: _Checker, data: dict, vocab: Vocabulary, registry: ActorRegistry, links: list[Link]) -> list[Actor]:
    entries: list[tuple[str, Any]] = [(f"actors[{i + 1}]", a) for i, a in enumerate(_values(chk, data, "actors"))]
    for column, role in ROLE_COLUMNS.items():
        entries += [(column, {"name": n, "role": role}) for n in _values(chk, data, column)]
    actors: list[Actor] = []
    for fld, entry in entries:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            chk.error(fld, f"expected an actor (name, role, type, country), found a {type(entry).__name__}", entry)
            continue
        if fld not in ROLE_COLUMNS:  # entries of the role columns are made here: {name, role}
            for unknown in sorted(set(map(str, entry)) - _ACTOR_FIELD_SET):
                chk.warn(f"{fld}.{unknown}", f"unknown actor field {unknown!r} (known: {', '.join(ACTOR_FIELDS)})")
        name = entry.get("name")
        if not isinstance(name, str) or not _clean(name):
            chk.error(f"{fld}.name", "an actor needs a name", name)
            continue
        name = _clean(name)
        role = entry.get("role")
        if role in (None, ""):
            chk.warn(f"{fld}.role", f"no role given for {name!r}: taken as partner")
            role = "partner"
        role = str(role).strip().lower()
        if role not in ROLES:
            close = [r for r in ROLES if r.startswith(role[:3])] or list(ROLES)
            chk.error(f"{fld}.role", f"unknown role {quoted(role)}: use {' or '.join(close)}", role)
            continue
        if registry.is_ambiguous(name):
            chk.warn(f"{fld}.name", f"{name!r} is the acronym of more than one organisation here: kept apart", name)
        slug, label, acronym, merged = registry.resolve(name)
        if merged:
            chk.info(f"{fld}.name", f"{name!r} merged with actor {canonical_name(label, acronym)!r} ({slug})", name)
        actor = Actor(slug, label, role, acronym, written=name, field=fld if fld in ROLE_COLUMNS else f"{fld}.name")
        if "type" in entry or "country" in entry:
            if entry.get("type") not in (None, ""):
                actor.type = _resolve(chk, vocab.actor_types, f"{fld}.type", entry["type"], links)
            if entry.get("country") not in (None, ""):
                actor.country = _resolve(chk, vocab.countries, f"{fld}.country", entry["country"], links)
        actors.append(actor)
    return actors


def _awards(chk: _Checker, data: dict) -> list[Award]:
    awards = []
    for i, entry in enumerate(_values(chk, data, "awards"), start=1):
        fld = f"awards[{i}]"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not _clean(entry["name"]):
            chk.error(fld, "an award needs a name", entry)
            continue
        year = None
        if entry.get("year") is not None:
            year = parse_year(entry["year"])
            if year is None or not MIN_YEAR <= year <= next_year():
                chk.error(f"{fld}.year", f"not a year between {MIN_YEAR} and {next_year()}", entry["year"])
                continue
        name = _clean(entry["name"])
        awards.append(Award(slugify(name), name, year))
    return awards


def normalise(
    raw: RawRecord, registry: ActorRegistry | None = None, vocab: Vocabulary | None = None
) -> tuple[CaseRecord | None, list[Result]]:
    """Normalise one raw record; None (and at least one ERROR) when it must be quarantined."""
    vocab = vocab or vocabulary()
    registry = registry or ActorRegistry()
    chk = _Checker(raw.source)
    # Findings about a whole table (an unknown column, the encoding) ride on its first row and
    # carry their own source (the header line); see opsi_kg.tabular.
    chk.results.extend(getattr(raw, "notes", ()))
    for fld, message in raw.field_errors:
        chk.error(fld, message)
    if raw.data is None:
        chk.error("", raw.error or "the record could not be read")
        return None, chk.results
    data = raw.data
    for unknown in () if _KNOWN_FIELDS.issuperset(data) else sorted(set(data) - _KNOWN_FIELDS):
        close = _close(unknown, _KNOWN_FIELDS)
        chk.warn(unknown, f"unknown field {unknown!r} ignored" + (f": did you mean {close}?" if close else ""))

    links: list[Link] = []
    title = _text(chk, data, "title")
    given_id = _text(chk, data, "id")
    if given_id is not None:
        slug = slugify(given_id)
        if slug != given_id:
            chk.warn("id", f"id {quoted(given_id)} is not a slug: using {slug!r}", given_id)
    elif title:
        slug = slugify(title)
    else:
        slug = slugify(raw.stem or raw.source)
    rec = CaseRecord(source=raw.source, slug=slug, title=title)
    rec.summary = _text(chk, data, "summary")
    rec.city = _text(chk, data, "city")
    for value in _country_values(chk, data, vocab):
        if isinstance(value, str) and _decide(vocab.countries, _clean(value))[0] is None:
            region = vocab.regions.resolve(value)
            if region is not None:
                message = f"{_clean(value)!r} is a region, not a country: linked as the case's region"
                chk.warn("countries", message, value)
                if region not in rec.regions:
                    rec.regions.append(region)
                links.append(Link("countries", _clean(value), region))
                continue
        concept = _resolve(chk, vocab.countries, "countries", value, links)
        if concept is not None and concept not in rec.countries:
            rec.countries.append(concept)
    region = _text(chk, data, "region")
    if region:
        concept = vocab.regions.resolve(region)
        if concept is not None:
            rec.regions.append(concept)
            links.append(Link("region", region, concept))
        else:
            rec.place_name = region
    if data.get("year") not in (None, ""):
        year = parse_year(data["year"])
        if year is None:
            chk.error("year", "not a year: write 2019, 2019-07-01 or July 2019", data["year"])
        elif not MIN_YEAR <= year <= next_year():
            chk.error("year", f"year {year} is outside {MIN_YEAR}..{next_year()}", data["year"])
        else:
            rec.year = year
    level = data.get("level_of_government")
    if level not in (None, ""):
        rec.level = _resolve(chk, vocab.levels, "level_of_government", level, links)
    rec.actors = _actors(chk, data, vocab, registry, links)
    for value in _values(chk, data, "themes"):
        concept = _resolve(chk, vocab.themes, "themes", value, links, severity=Severity.WARNING)
        if concept is None:
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                word = _clean(str(value))
                if word and word not in rec.keywords:
                    rec.keywords.append(word)
                    chk.info("themes", f"{quoted(word)} kept on the case as a keyword", word)
        elif concept not in rec.themes:
            rec.themes.append(concept)
    rec.awards = _awards(chk, data)
    for value in _values(chk, data, "sdgs"):
        number = parse_sdg(value)
        if number is None:
            chk.error("sdgs", "not a UN Sustainable Development Goal: use a number from 1 to 17", value)
        elif number not in rec.sdgs:
            rec.sdgs.append(number)
    for value in _values(chk, data, "sources"):
        text = _clean(str(value)) if isinstance(value, (str, int, float)) else ""
        if _URL.match(text):
            rec.sources.append(text)
        elif text:
            chk.warn("sources", "not an http(s) URL: kept as a bibliographic citation", text)
            rec.citations.append(text)
        else:
            chk.error("sources", f"expected a URL, found a {type(value).__name__}", value)
    rec.links = links
    return (None if chk.failed else rec), chk.results


def parse_sdg(value: Any) -> int | None:
    """1..17 from ``16``, ``"16"``, ``"SDG 16"`` or ``"Goal 16"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1 <= value <= 17 else None
    if isinstance(value, str):
        m = re.fullmatch(r"(?:sdg|goal)?\s*0*(\d{1,2})", value.strip(), flags=re.IGNORECASE)
        if m and 1 <= int(m.group(1)) <= 17:
            return int(m.group(1))
    return None


def _close(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.7)
    return found[0] if found else None


def _all_actor_names(raws: Iterable[RawRecord]) -> Iterator[str]:
    """Every organisation name of the input, cleaned as :func:`normalise` cleans it (any shape
    of field is read without error: the errors are :func:`normalise`'s to report)."""
    for raw in raws:
        if not isinstance(raw.data, dict):
            continue
        for fld in ("actors", *ROLE_COLUMNS):
            value = raw.data.get(fld)
            if isinstance(value, str):
                entries: list[Any] = value.split(";")
            elif isinstance(value, (list, tuple)):
                entries = list(value)
            else:
                entries = [value]
            for entry in entries:
                name = entry.get("name") if isinstance(entry, dict) else entry
                if isinstance(name, str) and name.strip():
                    yield _clean(name)


def normalise_all(
    raws: Iterable[RawRecord], vocab: Vocabulary | None = None
) -> tuple[list[CaseRecord], list[Result], list[str], int]:
    """Normalise every record of one input.

    Returns (records kept, results, quarantined sources, number read). A duplicate case id
    quarantines the later record (in source order) and names the earlier one.
    """
    with gc_paused():
        return _normalise_all(raws, vocab)


def duplicate_id(slug: str, earlier: str, source: str) -> Result:
    """The error that quarantines a record whose case id an earlier record already has."""
    return Result(
        Severity.ERROR,
        f"duplicate case id {slug!r}: already used by {earlier}",
        source,
        "id",
        source_shape="normalise",
        value=slug,
    )


def _normalise_all(
    raws: Iterable[RawRecord], vocab: Vocabulary | None
) -> tuple[list[CaseRecord], list[Result], list[str], int]:
    raws = list(raws)
    registry = ActorRegistry()
    registry.learn(_all_actor_names(raws))
    kept: list[CaseRecord] = []
    results: list[Result] = []
    quarantined: list[str] = []
    seen: dict[str, str] = {}
    for raw in raws:
        rec, found = normalise(raw, registry, vocab)
        results.extend(found)
        if rec is not None and rec.slug in seen:
            results.append(duplicate_id(rec.slug, seen[rec.slug], raw.source))
            rec = None
        if rec is None:
            quarantined.append(raw.source)
            continue
        seen[rec.slug] = raw.source
        kept.append(rec)
    return kept, results, quarantined, len(raws)
