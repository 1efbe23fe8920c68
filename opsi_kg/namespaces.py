"""The one place that names namespaces, IRIs and prefixes.

Parsing, serialising, the saved queries and the CLI all use :data:`PREFIXES`.

>>> str(OPSI.Case)
'https://w3id.org/opsi-kg/ontology#Case'
>>> str(Iris().case("my-france-2022"))
'https://w3id.org/opsi-kg/id/case/my-france-2022'
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

OPSI = Namespace("https://w3id.org/opsi-kg/ontology#")
SHAPE = Namespace("https://w3id.org/opsi-kg/shapes#")
SCHEMA = Namespace("https://schema.org/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
COUNTRY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/country")
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")

DEFAULT_BASE = "https://w3id.org/opsi-kg/id/"
GRAPH_BASE = "https://w3id.org/opsi-kg/graph/"
ASSERTED_GRAPH = URIRef(GRAPH_BASE + "asserted")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")
VOCAB_GRAPH = URIRef(GRAPH_BASE + "vocabularies")

# Instance IRIs of the shipped concept schemes are always under the default base: they are
# vocabulary, not data, so a different data base does not move them.
THEME = Namespace(DEFAULT_BASE + "theme/")
REGION = Namespace(DEFAULT_BASE + "region/")
LEVEL = Namespace(DEFAULT_BASE + "level/")
ACTOR_TYPE = Namespace(DEFAULT_BASE + "actor-type/")


@dataclass(frozen=True)
class Iris:
    """Mints the deterministic instance IRIs of the graph under a base."""

    base: str = DEFAULT_BASE

    def case(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}case/{slug}")

    def actor(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}actor/{slug}")

    def award(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}award/{slug}")

    def record(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}record/{slug}")

    def link(self, case_slug: str, field: str, n: int) -> URIRef:
        return URIRef(f"{self.base}record/{case_slug}/{field}-{n}")


PREFIXES: dict[str, str] = {
    "opsi": str(OPSI),
    "id": DEFAULT_BASE,
    "case": DEFAULT_BASE + "case/",
    "actor": DEFAULT_BASE + "actor/",
    "award": DEFAULT_BASE + "award/",
    "theme": str(THEME),
    "region": str(REGION),
    "level": str(LEVEL),
    "actortype": str(ACTOR_TYPE),
    "country": str(COUNTRY),
    "sdg": str(SDG),
    "sdgo": str(SDGO),
    "shape": str(SHAPE),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "void": str(VOID),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph, base: str = DEFAULT_BASE) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    prefixes = dict(PREFIXES)
    if base != DEFAULT_BASE:
        for name in ("id", "case", "actor", "award"):
            prefixes[name] = prefixes[name].replace(DEFAULT_BASE, base, 1)
    for prefix, ns in prefixes.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for every project prefix, to put before a query that uses them."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """Shorten an IRI with the longest matching prefix, or return it unchanged.

    >>> compact("http://publications.europa.eu/resource/authority/country/FRA")
    'country:FRA'
    """
    best = None
    for prefix, ns in (prefixes or PREFIXES).items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            rest = iri[len(ns) :]
            if rest and all(c.isalnum() or c in "-_." for c in rest):
                best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri
