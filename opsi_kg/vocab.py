"""The shipped vocabularies (ontology/) and the look-up indexes built from them.

A :class:`ConceptIndex` resolves what a person typed (a label, a synonym, a code, a slug) to one
concept IRI, comparing case-, accent- and punctuation-insensitively, and suggests the closest
keys when nothing matches.

>>> key("Türkiye")
'turkiye'
>>> key("  Citizen-Engagement ")
'citizen engagement'
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .namespaces import OPSI, bind_prefixes
from .resources import ontology_dir

VOCAB_FILES = (
    "opsi.ttl",
    "themes.ttl",
    "levels-of-government.ttl",
    "actor-types.ttl",
    "regions.ttl",
    "countries.ttl",
    "sdg-goals.ttl",
)

# Spellings people use that are in neither pycountry nor the EU table.
COUNTRY_ALIASES = {
    "uk": "GBR",
    "u k": "GBR",
    "great britain": "GBR",
    "britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "usa": "USA",
    "us": "USA",
    "u s": "USA",
    "u s a": "USA",
    "america": "USA",
    "united states of america": "USA",
    "korea": "KOR",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "korea republic of": "KOR",
    "korea rep": "KOR",
    "north korea": "PRK",
    "turkey": "TUR",
    "turkiye": "TUR",
    "republic of turkiye": "TUR",
    "russia": "RUS",
    "czech republic": "CZE",
    "czechia": "CZE",
    "ivory coast": "CIV",
    "macedonia": "MKD",
    "fyrom": "MKD",
    "macedonia fyr": "MKD",
    "kosovo": "1A0",
    "holland": "NLD",
    "the netherlands": "NLD",
    "vietnam": "VNM",
    "laos": "LAO",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "iran": "IRN",
    "syria": "SYR",
    "moldova": "MDA",
    "tanzania": "TZA",
    "taiwan": "TWN",
    "palestine": "PSE",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "burma": "MMR",
    "east timor": "TLS",
    "vatican": "VAT",
    "brunei": "BRN",
    "uae": "ARE",
    "bosnia": "BIH",
    "drc": "COD",
    "dr congo": "COD",
    "congo kinshasa": "COD",
    "congo brazzaville": "COG",
    "republic of ireland": "IRL",
    "west bank and gaza": "PSE",
    "hong kong china": "HKG",
    "macau china": "MAC",
    "macao china": "MAC",
    "venezuela rb": "VEN",
    # Names in the country's own language that case libraries carry over.
    "deutschland": "DEU",
    "osterreich": "AUT",
    "schweiz": "CHE",
    "suisse": "CHE",
    "svizzera": "CHE",
    "espana": "ESP",
    "italia": "ITA",
    "brasil": "BRA",
    "nederland": "NLD",
    "belgie": "BEL",
    "belgique": "BEL",
    "sverige": "SWE",
    "norge": "NOR",
    "danmark": "DNK",
    "suomi": "FIN",
    "polska": "POL",
    "cesko": "CZE",
    "slovensko": "SVK",
    "slovenija": "SVN",
    "hrvatska": "HRV",
    "srbija": "SRB",
    "magyarorszag": "HUN",
    "hellas": "GRC",
    "ellada": "GRC",
    "eesti": "EST",
    "latvija": "LVA",
    "lietuva": "LTU",
    "eire": "IRL",
    "nippon": "JPN",
    "nihon": "JPN",
}

# Abbreviations in country names as statistical tables write them ("Korea, Rep.", "St. Lucia").
_ABBREVIATIONS = {
    "rep": "republic",
    "dem": "democratic",
    "st": "saint",
    "ste": "sainte",
    "sts": "states",
    "fed": "federated",
    "is": "islands",
    "isl": "islands",
    "pdr": "people s democratic republic",
    "sar": "",
    "utd": "united",
}
_FILLERS = frozenset({"of", "the", "and"})


def quoted(text: object, limit: int = 80) -> str:
    """A value quoted for a message, cut short when long (the report keeps the whole value).

    >>> quoted("Frnace"), quoted("x" * 100)[-6:]
    ("'Frnace'", "xx...'")
    """
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit - 3] + "...")


# ASCII text needs no decomposition: every character that is not a letter or a digit is a space.
_ASCII_SPACES = {c: " " for c in range(128) if not chr(c).isalnum()}


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    if text.isascii():  # the common case, the same result without the per-character Unicode work
        return " ".join(text.replace("&", " and ").lower().translate(_ASCII_SPACES).split())
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return " ".join(words)


def key(text: str) -> str:
    """The comparison key of a label: accents, case and punctuation removed, ``&`` read as "and".

    >>> key("Bosnia & Herzegovina")
    'bosnia and herzegovina'
    """
    if type(text) is not str:
        text = str(text)
    # Values repeat across an import (countries, themes, organisations): remember short ones.
    return _key(text) if len(text) <= 200 else _key.__wrapped__(text)


def country_loose_key(k: str) -> str:
    """A country key with abbreviations spelled out, filler words dropped and words sorted, so
    that ``Korea, Rep.``, ``Congo, Dem. Rep.`` and ``Netherlands (Kingdom of the)`` meet the
    official names.

    >>> country_loose_key(key("Congo, Dem. Rep.")) == country_loose_key(key("Democratic Republic of the Congo"))
    True
    """
    words: set[str] = set()
    for w in k.split():
        words.update(_ABBREVIATIONS.get(w, w).split())
    return " ".join(sorted(words - _FILLERS))


def theme_loose_key(k: str) -> str:
    """A theme key without plural endings: ``digital platform`` meets ``digital platforms``.

    >>> theme_loose_key("digital platforms") == theme_loose_key("digital platform")
    True
    """
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in k.split())


@dataclass
class ConceptIndex:
    """Label keys to concept IRIs, for one kind of concept.

    When the exact key of a value is unknown, a looser key (``loosen``, e.g. words in any order
    for countries) is tried; a loose key that two concepts share matches neither.
    """

    kind: str  # "country", "theme", ... used in messages
    keys: dict[str, URIRef] = field(default_factory=dict)
    labels: dict[URIRef, str] = field(default_factory=dict)  # preferred English label
    ambiguous: dict[str, set[URIRef]] = field(default_factory=dict)
    loosen: Callable[[str], str] | None = None
    loose: dict[str, URIRef | None] = field(default_factory=dict, repr=False)
    _suggestions: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    memo: dict[str, tuple] = field(default_factory=dict, repr=False, compare=False)  # for callers' decisions

    def build_loose(self) -> None:
        """(Re)build the loose keys from the exact ones; call after the last :meth:`add`."""
        self.loose = {}
        if self.loosen is None:
            return
        for k, concept in sorted(self.keys.items()):
            if k in self.ambiguous:
                continue
            lk = self.loosen(k)
            if lk in self.loose and self.loose[lk] != concept:
                self.loose[lk] = None
            else:
                self.loose[lk] = concept

    def add(self, text: str, concept: URIRef) -> None:
        k = key(text)
        if not k:
            return
        known = self.keys.get(k)
        if known is not None and known != concept:
            self.ambiguous.setdefault(k, {known}).add(concept)
            return
        self.keys[k] = concept

    def resolve(self, text: str) -> URIRef | None:
        k = key(text)
        if k in self.ambiguous:
            return None
        found = self.keys.get(k)
        if found is None and self.loosen is not None and k:
            found = self.loose.get(self.loosen(k))
        return found

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Preferred labels of the concepts whose keys are closest to ``text``."""
        k = key(text)
        if k in self._suggestions:
            return self._suggestions[k][:n]
        found: list[str] = []
        if len(k) <= 100:  # a whole paragraph in a name field resembles nothing
            for close in difflib.get_close_matches(k, list(self.keys), n=10, cutoff=0.6):
                label = self.labels.get(self.keys[close], close)
                if label not in found:
                    found.append(label)
        if len(self._suggestions) > 10_000:
            self._suggestions.clear()
        self._suggestions[k] = found
        return found[:n]

    def explain_unknown(self, text: str) -> str:
        hint = self.suggest(text)
        did = f": did you mean {' or '.join(hint)}?" if hint else ""
        return f"unknown {self.kind} {quoted(text)}{did}"


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate) if getattr(o, "language", None) in (None, "en"))


def _index_concepts(graph: Graph, kind: str, cls: URIRef) -> ConceptIndex:
    index = ConceptIndex(kind)
    for concept in sorted(graph.subjects(RDF.type, cls)):
        if not isinstance(concept, URIRef):
            continue
        pref = _english(graph, concept, SKOS.prefLabel) or _english(graph, concept, RDFS.label)
        if pref:
            index.labels[concept] = pref[0]
        texts = [concept.rsplit("/", 1)[-1], *pref, *_english(graph, concept, SKOS.altLabel)]
        texts += [str(n) for n in graph.objects(concept, SKOS.notation)]
        texts += [str(n) for n in graph.objects(concept, DCTERMS.identifier)]
        for text in texts:
            index.add(text, concept)
    return index


@dataclass
class Vocabulary:
    """The loaded vocabularies: one graph, and an index per kind of concept."""

    graph: Graph
    countries: ConceptIndex
    themes: ConceptIndex
    levels: ConceptIndex
    actor_types: ConceptIndex
    regions: ConceptIndex

    def label(self, iri: URIRef) -> str:
        for index in (self.countries, self.themes, self.levels, self.actor_types, self.regions):
            if iri in index.labels:
                return index.labels[iri]
        return str(iri)


def _country_index(graph: Graph) -> ConceptIndex:
    import pycountry

    index = _index_concepts(graph, "country", OPSI.Country)
    by_alpha3 = {}
    for concept in index.labels:
        code = concept.rsplit("/", 1)[-1]
        by_alpha3[code] = concept
    for notation_holder in list(index.labels):
        for n in graph.objects(notation_holder, SKOS.notation):
            if len(str(n)) == 3:
                by_alpha3[str(n)] = notation_holder
    for c in pycountry.countries:
        concept = by_alpha3.get(c.alpha_3)
        if concept is None:
            continue
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value and key(value) not in index.keys:
                index.add(value, concept)
    for alias, code in COUNTRY_ALIASES.items():
        concept = by_alpha3.get(code)
        if concept is not None:
            index.keys[key(alias)] = concept
            index.ambiguous.pop(key(alias), None)
    index.loosen = country_loose_key
    index.build_loose()
    return index


def _themes(graph: Graph) -> ConceptIndex:
    index = _index_concepts(graph, "theme", OPSI.Theme)
    index.loosen = theme_loose_key
    index.build_loose()
    return index


def load_graph(folder: Path | None = None) -> Graph:
    """Parse every shipped vocabulary file into one graph."""
    folder = folder or ontology_dir()
    graph = bind_prefixes(Graph())
    for name in VOCAB_FILES:
        path = folder / name
        if path.exists():
            graph.parse(path, format="turtle")
    return graph


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabularies, loaded once per process."""
    graph = load_graph()
    return Vocabulary(
        graph=graph,
        countries=_country_index(graph),
        themes=_themes(graph),
        levels=_index_concepts(graph, "level of government", OPSI.LevelOfGovernment),
        actor_types=_index_concepts(graph, "actor type", OPSI.ActorType),
        regions=_index_concepts(graph, "region", OPSI.Region),
    )
