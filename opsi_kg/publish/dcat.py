"""The release's DCAT-AP 3 catalogue and the VoID statistics of its dataset, and their check.

:func:`catalog_graph` describes one release: a ``dcat:Catalog`` with one ``dcat:Dataset`` (also a
``void:Dataset``), one ``dcat:Distribution`` per dump format (IANA media type, EU file type, EU
licence, byte size, SHA-256 checksum, dates), publisher, contact point, spatial coverage (the EU
country IRIs of the cases' countries), temporal coverage and EU data themes. Every code-list
concept it names is typed, labelled and placed in its scheme (``skos:inScheme``) inside the
catalogue itself, from the stubs in ``ontology/eu-vocab/`` and the country table, so the official
DCAT-AP shapes (``shapes/dcat-ap/``) check it offline: :func:`validate_catalog`.

Every node has an IRI (no blank nodes), so the same release gives the same ``catalog.ttl``.

>>> release_date(env={"SOURCE_DATE_EPOCH": "1735689600"})
datetime.date(2025, 1, 1)
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from ..namespaces import COUNTRY_SCHEME, DEFAULT_BASE, OPSI, PREFIXES, bind_prefixes
from ..pipeline import BuildResult
from ..report import Result
from ..resources import ontology_dir, shapes_dir

DCAT_AP_VERSION = "3.0.1"
DCAT_AP_SHAPE_FILES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl")

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = Namespace(EU + "file-type/")
LICENCE = Namespace(EU + "licence/")
DATA_THEME = Namespace(EU + "data-theme/")
DATA_THEME_SCHEME = URIRef(EU + "data-theme")
LANGUAGE = Namespace(EU + "language/")
AVAILABILITY = Namespace(EU + "planned-availability/")
IANA = "http://www.iana.org/assignments/media-types/"
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
# SPDX 2.3 mints http://spdx.org/rdf/terms#checksumAlgorithm_sha256; DCAT-AP 3.0.1's code-list
# shape only accepts IRIs starting https://spdx.org/rdf/terms. The catalogue uses the https form
# and states owl:sameAs to SPDX's own IRI (ontology/eu-vocab/misc.ttl).
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
ONTOLOGY = URIRef("https://w3id.org/opsi-kg/ontology")
THEME_SCHEME = URIRef(DEFAULT_BASE + "scheme/themes")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace object predates it

CATALOG_PREFIXES = {
    **PREFIXES,
    "adms": str(ADMS),
    "dcatap": str(DCATAP),
    "filetype": str(FILE_TYPE),
    "formats": str(FORMATS),
    "licence": str(LICENCE),
    "datatheme": str(DATA_THEME),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
}

DEFAULT_BASE_URL = "https://w3id.org/opsi-kg/"


@dataclass(frozen=True)
class DumpFormat:
    """One dump format of a release and the code-list terms that describe it."""

    key: str  # the export writer's name (opsi_kg.export.WRITERS)
    title: str
    description: str
    media_type: str  # IANA media type, e.g. text/turtle
    file_type: str  # EU file-type code, e.g. RDF_TURTLE
    w3c_format: str  # http://www.w3.org/ns/formats/ local name (void:feature)

    @property
    def media_type_iri(self) -> URIRef:
        return URIRef(IANA + self.media_type)


DUMP_FORMATS: dict[str, DumpFormat] = {
    f.key: f
    for f in (
        DumpFormat(
            "ttl",
            "Turtle dump",
            "The asserted graph (cases, organisations, awards, source records and linking decisions) as one "
            "Turtle file.",
            "text/turtle",
            "RDF_TURTLE",
            "Turtle",
        ),
        DumpFormat(
            "nt",
            "N-Triples dump",
            "The asserted graph as sorted N-Triples, one statement per line (diffs cleanly).",
            "application/n-triples",
            "RDF_N_TRIPLES",
            "N-Triples",
        ),
        DumpFormat(
            "jsonld",
            "JSON-LD dump",
            "The asserted graph as JSON-LD with the project's prefixes as context.",
            "application/ld+json",
            "JSON_LD",
            "JSON-LD",
        ),
        DumpFormat(
            "trig",
            "TriG dump (named graphs)",
            "Three named graphs in one TriG file: the asserted data, the triples inferred by OWL 2 RL "
            "reasoning, and the vocabularies (ontology and concept schemes).",
            "application/trig",
            "RDF_TRIG",
            "TriG",
        ),
    )
}


@dataclass(frozen=True)
class FileInfo:
    """A file of the release: name (relative to the release folder), size in bytes, SHA-256."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CatalogMetadata:
    """What a steward says about a release that the data cannot: titles, publisher, contact, licence.

    Load overrides from a YAML file with :meth:`from_file`; unknown keys are an error.
    """

    catalog_title: str = "opsi-kg releases"
    catalog_description: str = (
        "Releases of opsi-kg, a linked-data knowledge graph of public-sector innovation cases, with "
        "their dumps, validation reports and browsable pages."
    )
    title: str = "opsi-kg: knowledge graph of public-sector innovation cases"
    description: str = (
        "Public-sector innovation cases (projects, programmes, services and platforms) linked to the "
        "countries they ran in, the organisations that led, joined or funded them, their themes, levels "
        "of government, awards and Sustainable Development Goals, with the provenance of every value."
    )
    publisher_name: str = "opsi-kg maintainers"
    publisher_homepage: str | None = "https://w3id.org/opsi-kg/"
    publisher_type: str | None = "NonProfitOrganisation"  # ADMS publisher type (purl.org/adms/publishertype)
    contact_name: str = "opsi-kg maintainers"
    contact_email: str | None = None
    contact_url: str | None = "https://w3id.org/opsi-kg/"
    licence: str = "CC_BY_4_0"  # EU licence code (ontology/eu-vocab/licences.ttl)
    data_themes: tuple[str, ...] = ("GOVE",)  # EU data-theme codes
    language: str = "ENG"  # EU language code
    keywords: tuple[str, ...] = ("public sector innovation", "open government", "linked data")
    issued: dt.date | None = None  # first release; default: the release date

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> CatalogMetadata:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown release metadata field {unknown[0]!r} (known: {', '.join(sorted(known))})")
        clean: dict[str, object] = {}
        for key, value in values.items():
            if key in ("data_themes", "keywords"):
                value = tuple(str(v) for v in (value if isinstance(value, list | tuple) else [value]))
            elif key == "issued" and value is not None and not isinstance(value, dt.date):
                value = dt.date.fromisoformat(str(value))
            elif value is not None and key != "issued":
                value = str(value)
            clean[key] = value
        return replace(cls(), **clean)

    def problems(self) -> list[str]:
        """Codes that have no concept in the shipped code-list stubs (``ontology/eu-vocab/``)."""
        vocab = eu_vocab()
        out = []
        checks = [("licence", LICENCE[self.licence], DCTERMS.LicenseDocument)]
        checks += [("data_themes", DATA_THEME[code], SKOS.Concept) for code in self.data_themes]
        checks.append(("language", LANGUAGE[self.language], SKOS.Concept))
        if self.publisher_type:
            checks.append(("publisher_type", PUBLISHER_TYPE[self.publisher_type], SKOS.Concept))
        for name, iri, kind in checks:
            if (iri, RDF.type, kind) not in vocab:
                prefix = str(iri).rsplit("/", 1)[0] + "/"
                known = sorted(
                    str(s)[len(prefix) :] for s in vocab.subjects(RDF.type, kind) if str(s).startswith(prefix)
                )
                out.append(
                    f"{name}: {str(iri)[len(prefix) :]!r} is not in ontology/eu-vocab/ (known: {', '.join(known)})"
                )
        for name in ("publisher_homepage", "contact_url"):
            value = getattr(self, name)
            if value and not str(value).startswith(("http://", "https://")):
                out.append(f"{name}: {value!r} is not an http(s) URL")
        return out

    @classmethod
    def from_file(cls, path: Path | str) -> CatalogMetadata:
        import yaml

        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: release metadata must be a mapping of field: value")
        return cls.from_mapping(data)


def release_date(explicit: dt.date | str | None = None, env: Mapping[str, str] | None = None) -> dt.date:
    """The release date: ``explicit``, else ``SOURCE_DATE_EPOCH`` (seconds, UTC), else today (UTC)."""
    if isinstance(explicit, dt.date):
        return explicit
    if explicit:
        return dt.date.fromisoformat(str(explicit))
    env = os.environ if env is None else env
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


@dataclass(frozen=True)
class CatalogIris:
    """The IRIs of the catalogue's resources, under the instance base (``id:catalog``, ``id:dataset``)."""

    base: str

    @property
    def catalog(self) -> URIRef:
        return URIRef(self.base + "catalog")

    @property
    def dataset(self) -> URIRef:
        return URIRef(self.base + "dataset")

    @property
    def publisher(self) -> URIRef:
        return URIRef(self.base + "catalog#publisher")

    def part(self, name: str) -> URIRef:
        """A resource described with the dataset (``id:dataset#ttl``, ``id:dataset#contact-point``)."""
        return URIRef(f"{self.base}dataset#{name}")


@cache
def eu_vocab() -> Graph:
    """The code-list stubs shipped in ``ontology/eu-vocab/``."""
    g = Graph()
    for path in sorted((ontology_dir() / "eu-vocab").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def _add_stubs(catalog: Graph, sources: Iterable[Graph]) -> None:
    """Copy the description of every IRI the catalogue names from ``sources``, to a fixpoint."""
    sources = list(sources)
    done: set[URIRef] = set()
    while True:
        wanted = {o for o in catalog.objects() if isinstance(o, URIRef) and o not in done}
        wanted |= {s for s in catalog.subjects() if isinstance(s, URIRef) and s not in done}
        if not wanted:
            return
        for iri in sorted(wanted, key=str):
            done.add(iri)
            for src in sources:
                for p, o in src.predicate_objects(iri):
                    catalog.add((iri, p, o))


def _lit(text: str) -> Literal:
    return Literal(text, lang="en")


def _country_stub(g: Graph, vocab: Graph, country: URIRef) -> None:
    g.add((country, RDF.type, DCTERMS.Location))
    g.add((country, RDF.type, SKOS.Concept))
    g.add((country, SKOS.inScheme, COUNTRY_SCHEME))
    labels = sorted(vocab.objects(country, SKOS.prefLabel), key=lambda lit: (getattr(lit, "language", "") or "", lit))
    for label in labels:
        if isinstance(label, Literal) and label.language == "en":
            g.add((country, SKOS.prefLabel, label))
            break
    else:
        g.add((country, SKOS.prefLabel, _lit(str(country).rsplit("/", 1)[1])))


def void_statistics(g: Graph, dataset: URIRef, data: Graph, iris: CatalogIris, base: str) -> None:
    """VoID statistics of ``data`` on the ``dataset`` node: sizes, class and property partitions."""
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    entities = {s for s in subjects if str(s).startswith(base)}
    objects = set(data.objects())
    classes = Counter(o for o in data.objects(None, RDF.type))
    properties = Counter(p for p in data.predicates())
    g.add((dataset, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(len(set(data.subjects())), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    prefixes = {ns: p for p, ns in PREFIXES.items()}
    vocabularies = set()
    for term in [*classes, *properties]:
        ns = str(term).rsplit("#", 1)[0] + "#" if "#" in str(term) else str(term).rsplit("/", 1)[0] + "/"
        vocabularies.add(ns)

    def slug(term: URIRef) -> str:
        text = str(term)
        for ns, prefix in sorted(prefixes.items(), key=lambda kv: -len(kv[0])):
            if text.startswith(ns):
                return f"{prefix}-{text[len(ns) :]}"
        return "".join(c if c.isalnum() else "-" for c in text)

    for cls, n in sorted(classes.items(), key=lambda kv: str(kv[0])):
        part = iris.part(f"class-{slug(cls)}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for prop, n in sorted(properties.items(), key=lambda kv: str(kv[0])):
        part = iris.part(f"property-{slug(prop)}")
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for ns in sorted(vocabularies):
        g.add((dataset, VOID.vocabulary, URIRef(ns)))
    cases = sorted(s for s in data.subjects(RDF.type, OPSI.Case) if isinstance(s, URIRef))
    for example in cases[:3]:
        g.add((dataset, VOID.exampleResource, example))


def catalog_graph(
    result: BuildResult,
    files: Mapping[str, FileInfo],
    *,
    base_url: str = DEFAULT_BASE_URL,
    issued: dt.date,
    metadata: CatalogMetadata | None = None,
    site_index: str | None = "site/index.html",
) -> Graph:
    """The DCAT-AP 3 description of a release whose dump files are ``files`` (format key -> FileInfo).

    ``base_url`` is where the release folder is published (download URLs are made from it);
    ``issued`` the release date (dct:modified of everything; dct:issued unless the metadata fixes
    the first release date).
    """
    meta = metadata or CatalogMetadata()
    if not base_url.endswith("/"):
        base_url += "/"
    iris = CatalogIris(result.base)
    g = bind_prefixes(Graph(), result.base)
    for prefix, ns in CATALOG_PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    first = meta.issued or issued
    day = Literal(issued.isoformat(), datatype=XSD.date)
    first_day = Literal(first.isoformat(), datatype=XSD.date)
    catalog, dataset, publisher = iris.catalog, iris.dataset, iris.publisher
    landing = URIRef(base_url + site_index) if site_index else URIRef(base_url)
    licence = LICENCE[meta.licence]
    problems = meta.problems()
    if problems:
        raise ValueError("release metadata: " + "; ".join(problems))

    # catalogue
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, _lit(meta.catalog_title)))
    g.add((catalog, DCTERMS.description, _lit(meta.catalog_description)))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, FOAF.homepage, landing))
    g.add((landing, RDF.type, FOAF.Document))
    g.add((catalog, DCTERMS.language, LANGUAGE[meta.language]))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, DCTERMS.issued, first_day))
    g.add((catalog, DCTERMS.modified, day))
    g.add((catalog, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
    g.add((catalog, DCAT.dataset, dataset))

    # publisher and contact point
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, _lit(meta.publisher_name)))
    if meta.publisher_homepage:
        g.add((publisher, FOAF.homepage, URIRef(meta.publisher_homepage)))
    if meta.publisher_type:
        g.add((publisher, DCTERMS.type, PUBLISHER_TYPE[meta.publisher_type]))
    contact = iris.part("contact-point")
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, _lit(meta.contact_name)))
    if meta.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + meta.contact_email.removeprefix("mailto:"))))
    if meta.contact_url:
        g.add((contact, VCARD.hasURL, URIRef(meta.contact_url)))

    # dataset
    data = result.asserted
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, _lit(meta.title)))
    g.add((dataset, DCTERMS.description, _lit(meta.description)))
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.issued, first_day))
    g.add((dataset, DCTERMS.modified, day))
    g.add((dataset, DCAT_VERSION, Literal(issued.isoformat())))
    g.add((dataset, DCTERMS.language, LANGUAGE[meta.language]))
    g.add((dataset, DCAT.landingPage, landing))
    g.add((dataset, DCTERMS.conformsTo, ONTOLOGY))
    g.add((ONTOLOGY, RDF.type, DCTERMS.Standard))
    g.add((ONTOLOGY, DCTERMS.title, _lit("opsi-kg ontology")))
    for code in meta.data_themes:
        g.add((dataset, DCAT.theme, DATA_THEME[code]))
    keywords = set(meta.keywords)
    top_themes = set(result.vocabularies.objects(THEME_SCHEME, SKOS.hasTopConcept))
    used = set(data.objects(None, OPSI.theme)) | set(result.inferred.objects(None, OPSI.addressesTheme))
    for theme in top_themes & used:
        label = result.vocabularies.value(theme, SKOS.prefLabel)
        if label is not None:
            keywords.add(str(label))
    for word in sorted(keywords):
        g.add((dataset, DCAT.keyword, _lit(word)))
    countries = sorted(set(data.objects(None, OPSI.country)), key=str)
    for country in countries:
        g.add((catalog, DCTERMS.spatial, country))
        g.add((dataset, DCTERMS.spatial, country))
        _country_stub(g, result.vocabularies, country)
    years = sorted(str(y)[:4] for y in data.objects(None, OPSI.launchYear))
    if years:
        period = iris.part("temporal")
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(years[0], datatype=XSD.gYear)))
        g.add((period, DCAT.endDate, Literal(years[-1], datatype=XSD.gYear)))

    # distributions, one per dump format
    for key in sorted(files, key=lambda k: list(DUMP_FORMATS).index(k) if k in DUMP_FORMATS else 99):
        fmt, info = DUMP_FORMATS[key], files[key]
        dist = iris.part(key)
        url = URIRef(base_url + info.name)
        g.add((dataset, DCAT.distribution, dist))
        g.add((dataset, VOID.dataDump, url))
        g.add((dataset, VOID.feature, FORMATS[fmt.w3c_format]))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, _lit(fmt.title)))
        g.add((dist, DCTERMS.description, _lit(fmt.description)))
        g.add((dist, DCAT.accessURL, URIRef(base_url)))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, fmt.media_type_iri))
        g.add((dist, DCTERMS.format, FILE_TYPE[fmt.file_type]))
        g.add((dist, DCTERMS.license, licence))
        g.add((dist, DCATAP.availability, AVAILABILITY.STABLE))
        g.add((dist, DCAT.byteSize, Literal(info.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.issued, day))
        g.add((dist, DCTERMS.modified, day))
        checksum = iris.part(f"{key}-checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SHA256))
        g.add((checksum, SPDX.checksumValue, Literal(info.sha256, datatype=XSD.hexBinary)))

    void_statistics(g, dataset, data, iris, result.base)
    _add_stubs(g, [eu_vocab()])
    return g


@cache
def dcat_ap_shapes(version: str = DCAT_AP_VERSION, files: tuple[str, ...] = DCAT_AP_SHAPE_FILES) -> Graph:
    """The official DCAT-AP shapes shipped in ``shapes/dcat-ap/<version>/``."""
    folder = shapes_dir() / "dcat-ap" / version
    g = Graph()
    for name in files:
        g.parse(folder / name, format="turtle")
    return g


def validate_catalog(catalog: Graph, shapes: Graph | None = None) -> list[Result]:
    """Check a catalogue on its own against the DCAT-AP shapes; SHACL violations are ERROR results."""
    from ..validation import validate_top_level

    return validate_top_level(catalog, shapes if shapes is not None else dcat_ap_shapes())


__all__ = [
    "CATALOG_PREFIXES",
    "DCAT_AP_VERSION",
    "DEFAULT_BASE_URL",
    "DUMP_FORMATS",
    "CatalogIris",
    "CatalogMetadata",
    "DumpFormat",
    "FileInfo",
    "catalog_graph",
    "dcat_ap_shapes",
    "release_date",
    "validate_catalog",
    "void_statistics",
]
