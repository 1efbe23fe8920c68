"""Stage 7, query: the saved SPARQL queries of queries/ and running them safely.

Each ``.rq`` file starts with a comment header::

    # title: Countries that ran citizen-participation cases
    # summary: One line saying what the query answers.
    # tags: countries, themes
    # param: theme (theme, default citizen-participation): the theme; narrower themes count too

A parameter is bound to its query variable (``?theme``) as an RDF term by the store (rdflib's
``initBindings`` or Oxigraph's substitutions), never pasted into the query text, so a value such
as ``x" } DROP ALL #`` stays a value.

>>> text = "# title: T\\n# param: theme (theme, default citizen-participation): t\\nSELECT * {}"
>>> q = parse_query_text("participation-countries", text)
>>> q.params[0].name, q.params[0].kind, q.params[0].default
('theme', 'theme', 'citizen-participation')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .namespaces import DEFAULT_BASE, sparql_prologue
from .resources import queries_dir
from .store import QueryResult, Store

PARAM_KINDS = ("theme", "region", "level", "actor-type", "country", "case", "actor", "string", "integer", "year", "iri")
_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<spec>[^)]*)\)\s*:?\s*(?P<doc>.*)$")


class ParamError(ValueError):
    """A parameter value is missing, unknown or of the wrong kind."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: str | None = None
    doc: str = ""


@dataclass
class SavedQuery:
    name: str
    text: str
    title: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    path: Path | None = None

    @property
    def is_qc(self) -> bool:
        return self.name.endswith("-violation")

    def sparql(self) -> str:
        """The query with the project's PREFIX lines in front (its own PREFIX lines win)."""
        return sparql_prologue() + self.text


class HeaderError(ValueError):
    pass


def parse_query_text(name: str, text: str, path: Path | None = None) -> SavedQuery:
    query = SavedQuery(name=name, text=text, path=path)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        k, value = m.group("key"), m.group("value").strip()
        if k == "title":
            query.title = value
        elif k == "summary":
            query.summary = (query.summary + " " + value).strip()
        elif k == "tags":
            query.tags = [t.strip() for t in value.split(",") if t.strip()]
        elif k == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise HeaderError(f"{name}: cannot read parameter line {line!r}")
            spec = [s.strip() for s in pm.group("spec").split(",")]
            kind, default = spec[0], None
            for extra in spec[1:]:
                if extra.startswith("default "):
                    default = extra[len("default ") :].strip()
            if kind not in PARAM_KINDS:
                raise HeaderError(f"{name}: parameter {pm.group('name')!r} has unknown kind {kind!r}")
            query.params.append(Param(pm.group("name"), kind, default, pm.group("doc").strip()))
    return query


def catalogue(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query under ``folder`` (default queries/), QC queries included, by name."""
    folder = folder or queries_dir()
    found = {}
    for path in sorted(folder.rglob("*.rq"), key=lambda p: (p.stem.endswith("-violation"), p.stem)):
        found[path.stem] = parse_query_text(path.stem, path.read_text(encoding="utf-8"), path)
    return found


def _vocab_term(kind: str, value: str, warnings: list[str]) -> URIRef:
    from .vocab import vocabulary

    vocab = vocabulary()
    index = {
        "theme": vocab.themes,
        "region": vocab.regions,
        "level": vocab.levels,
        "actor-type": vocab.actor_types,
        "country": vocab.countries,
    }[kind]
    concept = index.resolve(value)
    if concept is not None:
        return concept
    warnings.append(index.explain_unknown(value) + " (the query will find nothing for it)")
    folder = {"theme": "theme", "region": "region", "level": "level", "actor-type": "actor-type", "country": "country"}[
        kind
    ]
    return URIRef(f"{DEFAULT_BASE}{folder}/{quote(value, safe='')}")


def bind_param(param: Param, value: str, base: str = DEFAULT_BASE, warnings: list[str] | None = None) -> Node:
    """Turn a parameter value typed by a person into the RDF term bound to the query variable."""
    warnings = warnings if warnings is not None else []
    if param.kind in ("theme", "region", "level", "actor-type", "country"):
        return _vocab_term(param.kind, value, warnings)
    if param.kind in ("case", "actor"):
        return URIRef(f"{base}{param.kind}/{quote(value, safe='')}")
    if param.kind == "iri":
        if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value, flags=re.I):
            raise ParamError(f"parameter {param.name}: {value!r} is not an IRI")
        return URIRef(value)
    if param.kind in ("integer", "year"):
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ParamError(f"parameter {param.name}: {value!r} is not a whole number")
        if param.kind == "year":
            return Literal(f"{int(value):04d}", datatype=XSD.gYear)
        return Literal(int(value))
    return Literal(value)


def bindings_for(
    query: SavedQuery, given: Mapping[str, str], base: str = DEFAULT_BASE, warnings: list[str] | None = None
) -> dict[str, Node]:
    """All the query's parameters bound from ``given`` and the defaults."""
    known = {p.name for p in query.params}
    unknown = sorted(set(given) - known)
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise ParamError(f"query {query.name} has no parameter {unknown[0]!r} (parameters: {names})")
    out = {}
    for p in query.params:
        value = given.get(p.name, p.default)
        if value is None:
            raise ParamError(f"query {query.name} needs --param {p.name}=VALUE ({p.doc or p.kind})")
        out[p.name] = bind_param(p, value, base, warnings)
    return out


def run_saved(
    store: Store,
    query: SavedQuery,
    given: Mapping[str, str] | None = None,
    *,
    base: str = DEFAULT_BASE,
    warnings: list[str] | None = None,
) -> QueryResult:
    """Run a saved query on a store with its parameters bound."""
    return store.query(query.sparql(), bindings_for(query, given or {}, base, warnings))
