"""The release's DCAT-AP 3 catalogue and VoID description (opsi_kg.publish.dcat).

The main check runs on every build: catalog.ttl, validated on its own against the official
DCAT-AP 3.0.1 shapes shipped in shapes/dcat-ap/3.0.1/, has no violations.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, VOID, XSD

from opsi_kg.namespaces import COUNTRY_SCHEME, OPSI
from opsi_kg.publish import (
    CatalogMetadata,
    catalog_graph,
    release_date,
    validate_catalog,
)
from opsi_kg.publish.dcat import (
    DCAT_AP_SHAPE_FILES,
    DUMP_FORMATS,
    SHA256,
    SPDX,
    FileInfo,
    dcat_ap_shapes,
)
from opsi_kg.report import Severity
from opsi_kg.resources import home

RELEASE_DATE = dt.date(2025, 1, 1)
SHARED_SHAPES = home().parent / "shared" / "reference" / "dcat-ap" / "3.0.1"
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="session")
def catalog(release_dir) -> Graph:
    return Graph().parse(release_dir / "catalog.ttl", format="turtle")


def _violations(results):
    return [r for r in results if r.severity is Severity.ERROR]


def test_catalog_has_no_dcat_ap_violations(catalog):
    results = validate_catalog(catalog)
    assert _violations(results) == [], "\n".join(r.line() + f" {r.path}" for r in _violations(results))


def test_the_shipped_shapes_are_the_official_files_and_all_load():
    shapes = dcat_ap_shapes()
    assert len(shapes) > 500
    folder = home() / "shapes" / "dcat-ap" / "3.0.1"
    for name in DCAT_AP_SHAPE_FILES:
        assert (folder / name).is_file(), name
        reference = SHARED_SHAPES / "html-shacl" / name
        if reference.is_file():  # CI has ../shared read-only; byte-for-byte copies
            assert (folder / name).read_bytes() == reference.read_bytes(), name


def test_catalog_passes_the_generated_individual_constraints_bundle_too(catalog):
    bundle = SHARED_SHAPES / "shacl" / "dcat-ap-SHACL.ttl"
    if not bundle.is_file():
        pytest.skip(f"{bundle} not available (the reference folder is outside the repository)")
    results = validate_catalog(catalog, Graph().parse(bundle, format="turtle"))
    assert _violations(results) == [], "\n".join(r.line() for r in _violations(results))


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda g, ds: g.remove((ds, DCTERMS.title, None)), id="dataset-without-title"),
        pytest.param(
            lambda g, ds: [
                (g.remove((d, DCAT.byteSize, None)), g.add((d, DCAT.byteSize, Literal("big"))))
                for d in g.objects(ds, DCAT.distribution)
            ],
            id="byte-size-not-an-integer",
        ),
        pytest.param(
            lambda g, ds: g.remove((URIRef(EU + "file-type/RDF_TURTLE"), SKOS.inScheme, None)), id="format-off-list"
        ),
        pytest.param(
            lambda g, ds: [g.remove((c, DCAT.accessURL, None)) for c in g.objects(ds, DCAT.distribution)],
            id="distribution-without-access-url",
        ),
    ],
)
def test_the_shapes_catch_a_broken_catalogue(catalog, break_it):
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    dataset = next(broken.subjects(RDF.type, DCAT.Dataset))
    break_it(broken, dataset)
    assert _violations(validate_catalog(broken))


def test_one_distribution_per_dump_format_with_size_checksum_and_code_lists(catalog, release_dir):
    dataset = next(catalog.subjects(RDF.type, DCAT.Dataset))
    dists = list(catalog.objects(dataset, DCAT.distribution))
    assert len(dists) == len(DUMP_FORMATS)
    seen = set()
    for dist in dists:
        url = str(catalog.value(dist, DCAT.downloadURL))
        name = url.rsplit("/", 1)[1]
        data = (release_dir / name).read_bytes()
        size = catalog.value(dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data)
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SHA256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == hashlib.sha256(data).hexdigest()
        media = str(catalog.value(dist, DCAT.mediaType))
        fmt = str(catalog.value(dist, DCTERMS.format))
        assert media.startswith("http://www.iana.org/assignments/media-types/")
        assert (URIRef(fmt), SKOS.inScheme, URIRef(EU + "file-type")) in catalog
        assert str(catalog.value(dist, DCTERMS.license)) == EU + "licence/CC_BY_4_0"
        assert catalog.value(dist, DCTERMS.issued) == Literal("2025-01-01", datatype=XSD.date)
        seen.add((name, media.rsplit("media-types/", 1)[1], fmt.rsplit("/", 1)[1]))
    assert seen == {
        ("opsi-kg.ttl", "text/turtle", "RDF_TURTLE"),
        ("opsi-kg.nt", "application/n-triples", "RDF_N_TRIPLES"),
        ("opsi-kg.jsonld", "application/ld+json", "JSON_LD"),
        ("opsi-kg.trig", "application/trig", "RDF_TRIG"),
    }


def test_spatial_coverage_is_the_eu_country_iris_of_the_cases(catalog, default_build):
    dataset = next(catalog.subjects(RDF.type, DCAT.Dataset))
    spatial = set(catalog.objects(dataset, DCTERMS.spatial))
    assert spatial == set(default_build.asserted.objects(None, OPSI.country))
    for country in spatial:
        assert str(country).startswith(EU + "country/")
        assert (country, SKOS.inScheme, COUNTRY_SCHEME) in catalog
        assert (country, RDF.type, DCTERMS.Location) in catalog
        assert catalog.value(country, SKOS.prefLabel).language == "en"


def test_themes_publisher_contact_and_dates(catalog):
    dataset = next(catalog.subjects(RDF.type, DCAT.Dataset))
    assert URIRef(EU + "data-theme/GOVE") in set(catalog.objects(dataset, DCAT.theme))
    publisher = catalog.value(dataset, DCTERMS.publisher)
    assert catalog.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name")) is not None
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert contact is not None and (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Kind")) in catalog
    assert catalog.value(dataset, DCTERMS.modified) == Literal("2025-01-01", datatype=XSD.date)
    # every node has an IRI, so the same release gives the same catalog.ttl
    assert not [term for triple in catalog for term in triple if isinstance(term, BNode)]


def test_void_statistics_describe_the_asserted_graph(catalog, default_build, release_dir):
    data = default_build.asserted
    dataset = next(catalog.subjects(RDF.type, VOID.Dataset))
    assert int(catalog.value(dataset, VOID.triples)) == len(data)
    assert str(catalog.value(dataset, VOID.uriSpace)) == default_build.base
    classes = {
        catalog.value(p, VOID["class"]): int(catalog.value(p, VOID.entities))
        for p in catalog.objects(dataset, VOID.classPartition)
    }
    assert classes[OPSI.Case] == len(set(data.subjects(RDF.type, OPSI.Case)))
    props = {
        catalog.value(p, VOID.property): int(catalog.value(p, VOID.triples))
        for p in catalog.objects(dataset, VOID.propertyPartition)
    }
    assert sum(props.values()) == len(data)
    dumps = {str(u).rsplit("/", 1)[1] for u in catalog.objects(dataset, VOID.dataDump)}
    assert dumps == {"opsi-kg.ttl", "opsi-kg.nt", "opsi-kg.jsonld", "opsi-kg.trig"}
    examples = set(catalog.objects(dataset, VOID.exampleResource))
    assert examples and examples <= set(data.subjects(RDF.type, OPSI.Case))
    for example in examples:  # the example resources have pages in the site
        assert (release_dir / "site" / (str(example)[len(default_build.base) :] + ".html")).is_file()


def test_release_date_comes_from_the_option_then_source_date_epoch():
    assert release_date("2024-02-29") == dt.date(2024, 2, 29)
    assert release_date(None, {"SOURCE_DATE_EPOCH": "1700000000"}) == dt.date(2023, 11, 14)
    assert release_date(dt.date(2020, 1, 2), {"SOURCE_DATE_EPOCH": "1700000000"}) == dt.date(2020, 1, 2)


def test_catalog_is_the_same_for_the_same_date(default_build):
    files = {k: FileInfo(f"opsi-kg.{k}", 10, "00" * 32) for k in DUMP_FORMATS}
    one = catalog_graph(default_build, files, issued=RELEASE_DATE).serialize(format="nt")
    two = catalog_graph(default_build, files, issued=RELEASE_DATE).serialize(format="nt")
    assert sorted(one.splitlines()) == sorted(two.splitlines())


def test_metadata_file_overrides_and_rejects_unknown_codes(tmp_path, default_build):
    path = tmp_path / "release.yaml"
    path.write_text(
        "title: Innovation cases\npublisher_name: Observatory\ncontact_email: data@example.org\n"
        "licence: CC0\ndata_themes: [GOVE, TECH]\nissued: 2024-06-01\n",
        encoding="utf-8",
    )
    meta = CatalogMetadata.from_file(path)
    assert meta.problems() == []
    files = {k: FileInfo(f"opsi-kg.{k}", 10, "00" * 32) for k in DUMP_FORMATS}
    g = catalog_graph(default_build, files, issued=RELEASE_DATE, metadata=meta)
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    assert str(g.value(dataset, DCTERMS.title)) == "Innovation cases"
    assert g.value(dataset, DCTERMS.issued) == Literal("2024-06-01", datatype=XSD.date)
    assert {str(t).rsplit("/", 1)[1] for t in g.objects(dataset, DCAT.theme)} == {"GOVE", "TECH"}
    assert _violations(validate_catalog(g)) == []
    assert "licence" in CatalogMetadata(licence="WTFPL").problems()[0]
    with pytest.raises(ValueError, match="unknown release metadata field"):
        CatalogMetadata.from_mapping({"titel": "typo"})
