"""The static site (opsi_kg.publish.site): a crawler over every page, pages for every resource,
the per-resource Turtle and JSON-LD files, language tags, escaping, and the page renderer used
with a graph and with a store alike."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from opsi_kg.namespaces import COUNTRY_SCHEME, OPSI, SDGO
from opsi_kg.publish import page_path, render_resource_page
from opsi_kg.publish.html import Linker, relative
from opsi_kg.publish.ontodoc import local_name, ontology_terms
from opsi_kg.publish.pages import GraphSource
from opsi_kg.queries import catalogue

RELEASE_DATE = dt.date(2025, 1, 1)
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, DCTERMS.description, SKOS.definition)


@pytest.fixture(scope="session")
def site(release_dir) -> Path:
    return release_dir / "site"


class _Page(HTMLParser):
    """Links (href, src) and element ids of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.html_lang: str | None = None
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


@pytest.fixture(scope="session")
def crawl(site) -> dict[str, _Page]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    return pages


def _resolve(page: str, href: str) -> tuple[str, str] | None:
    """The release-relative file and fragment an internal link of ``page`` (site-relative) goes to."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None  # external
    target = unquote(parts.path)
    if not target:
        return (f"site/{page}", parts.fragment)
    return (posixpath.normpath(posixpath.join("site", posixpath.dirname(page), target)), parts.fragment)


def test_every_internal_link_resolves_to_a_file_and_anchor(crawl, release_dir):
    ids = {f"site/{name}": p.ids for name, p in crawl.items()}
    broken = []
    checked = 0
    for name, page in crawl.items():
        for href in page.links:
            resolved = _resolve(name, href)
            if resolved is None:
                assert href.startswith(("http://", "https://", "mailto:")), (name, href)
                continue
            target, fragment = resolved
            checked += 1
            if target.startswith("..") or not (release_dir / target).is_file():
                broken.append((name, href))
            elif fragment and target.endswith(".html") and fragment not in ids.get(target, set()):
                broken.append((name, href + " (no such anchor)"))
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"
    assert checked > 10_000


def _expected_pages(build) -> set[URIRef]:
    """Every IRI of the graph that should have a page, worked out from the data, not from the site."""
    want = set()
    for s, _p, o in build.asserted:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(build.base):
                want.add(term)
    vocab = build.vocabularies
    for cls in (OPSI.Theme, OPSI.Region, OPSI.LevelOfGovernment, OPSI.ActorType, OPSI.Country, SDGO.Goal):
        want |= {s for s in vocab.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    want |= {s for s in vocab.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}
    want |= {o for o in build.asserted.objects() if isinstance(o, URIRef) and page_path(str(o), build.base)}
    return want


def test_every_resource_that_should_have_a_page_has_one_with_its_data_beside_it(site, default_build):
    missing = []
    expected = _expected_pages(default_build)
    assert len(expected) > 900
    for iri in sorted(expected):
        path = page_path(str(iri), default_build.base)
        if path is None or not (site / path).is_file():
            missing.append(str(iri))
            continue
        html = (site / path).read_text(encoding="utf-8")
        if f"<code>{iri}</code>" not in html:
            missing.append(f"{iri} (page does not show its IRI)")
        stem = path[: -len(".html")]
        for suffix in (".ttl", ".jsonld"):
            if not (site / (stem + suffix)).is_file():
                missing.append(f"{iri} (no {suffix})")
    assert not missing, f"{len(missing)} resources without a page, e.g. {missing[:10]}"
    assert page_path(str(COUNTRY_SCHEME)) == "country/index.html"


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/opsi-kg/id/case/accelerated-capability-environment",
        "https://w3id.org/opsi-kg/id/theme/citizen-participation",
        "http://publications.europa.eu/resource/authority/country/GBR",
    ],
)
def test_resource_turtle_and_jsonld_files_hold_the_same_statements(site, default_build, iri):
    stem = page_path(iri)[: -len(".html")]
    ttl = Graph().parse(site / f"{stem}.ttl", format="turtle")
    js = Graph().parse(site / f"{stem}.jsonld", format="json-ld")
    assert isomorphic(ttl, js)
    node = URIRef(iri)
    union = default_build.asserted + default_build.vocabularies
    assert set(ttl.predicate_objects(node)) == set(union.predicate_objects(node))
    assert set(ttl.subject_predicates(node)) == set(union.subject_predicates(node))


def test_country_page_lists_its_cases_and_theme_page_its_cases_and_narrower_themes(site, default_build):
    g = default_build.asserted
    country = URIRef("http://publications.europa.eu/resource/authority/country/GBR")
    html = (site / page_path(str(country))).read_text(encoding="utf-8")
    assert "Cases in this country" in html
    for case in g.subjects(OPSI.country, country):
        assert f'href="../{page_path(str(case))}"' in html
    theme = URIRef("https://w3id.org/opsi-kg/id/theme/citizen-participation")
    html = (site / page_path(str(theme))).read_text(encoding="utf-8")
    assert "Cases with this theme" in html and "Narrower concepts" in html
    for case in g.subjects(OPSI.theme, theme):
        assert f'href="../{page_path(str(case))}"' in html
    for narrower in default_build.vocabularies.subjects(SKOS.broader, theme):
        assert f'href="{page_path(str(narrower)).rsplit("/", 1)[1]}"' in html


def test_case_page_links_every_property_value(site, default_build):
    case = URIRef("https://w3id.org/opsi-kg/id/case/accelerated-capability-environment")
    path = page_path(str(case))
    html = (site / path).read_text(encoding="utf-8")
    for _p, o in default_build.asserted.predicate_objects(case):
        if isinstance(o, URIRef):
            target = page_path(str(o), default_build.base)
            if str(o).startswith(str(OPSI)):
                target = f"ontology.html#{local_name(o)}"  # ontology terms: anchors of the ontology page
            href = relative(target, path) if target else str(o)
            assert f'href="{href}"' in html, (o, href)
    assert '<link rel="alternate" type="text/turtle" href="accelerated-capability-environment.ttl">' in html


def test_index_pages_have_counts(site, default_build):
    g = default_build.asserted
    countries = Counter(o for _s, o in g.subject_objects(OPSI.country))
    html = (site / "browse/countries.html").read_text(encoding="utf-8")
    top, n = countries.most_common(1)[0]
    assert f'title="{top}">' in html and f"<td>{n}</td>" in html
    years = (site / "browse/years.html").read_text(encoding="utf-8")
    for y in {str(y)[:4] for y in g.objects(None, OPSI.launchYear)}:
        assert f'id="y{y}"' in years
    assert "with narrower themes" in (site / "browse/themes.html").read_text(encoding="utf-8")
    assert "level of government" in (site / "browse/levels.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    cases = len(set(g.subjects(RDF.type, OPSI.Case)))
    assert f'<span class="n">{cases}</span>' in home


def test_charts_are_svg_documents(site):
    for name in ("cases-per-theme", "cases-per-country", "cases-per-year"):
        root = ElementTree.parse(site / "charts" / f"{name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.findall(".//{http://www.w3.org/2000/svg}rect"), name


def test_a_page_per_saved_query_with_sparql_parameters_and_results(site):
    saved = catalogue()
    for name, q in saved.items():
        html = (site / "queries" / f"{name}.html").read_text(encoding="utf-8")
        assert '<pre class="sparql">' in html
        for p in q.params:
            assert f"<code>{p.name}</code>" in html
        if all(p.default is not None for p in q.params):
            assert "<h2>Result" in html
    index = (site / "queries" / "index.html").read_text(encoding="utf-8")
    assert all(f"{name}.html" in index for name in saved)


def test_ontology_page_documents_every_term_and_scheme(site, default_build, crawl):
    page = crawl["ontology.html"]
    for kind, terms in ontology_terms(default_build.vocabularies).items():
        assert terms, kind
        for term in terms:
            assert local_name(term) in page.ids, term
    html = (site / "ontology.html").read_text(encoding="utf-8")
    assert html.count('<ul class="tree">') >= 4
    assert "Property chain" in html and "Domain" in html and "Range" in html


# ---------------------------------------------------------------- languages


def test_labels_are_language_tagged_with_one_preferred_label_per_language(default_build, release_dir):
    catalog = Graph().parse(release_dir / "catalog.ttl", format="turtle")
    for name, graph in (
        ("asserted", default_build.asserted),
        ("vocabularies", default_build.vocabularies),
        ("catalog", catalog),
    ):
        untagged = [
            (s, p, o)
            for p in LABEL_PROPERTIES
            for s, o in graph.subject_objects(p)
            if isinstance(o, Literal) and not o.language
        ]
        assert not untagged, f"{name}: {untagged[:5]}"
        for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
            per_language = Counter((s, o.language) for s, o in graph.subject_objects(p))
            twice = [k for k, n in per_language.items() if n > 1]
            assert not twice, f"{name}: more than one {p} per language: {twice[:5]}"


def test_pages_declare_their_language_and_tag_labels(crawl, site):
    assert all(p.html_lang == "en" for p in crawl.values())
    assert all(p.h1 == 1 for p in crawl.values())
    html = (site / "theme/citizen-participation.html").read_text(encoding="utf-8")
    assert '<h1><span lang="en">Citizen participation</span></h1>' in html


# ---------------------------------------------------------------- the renderer


def test_renderer_escapes_everything():
    g = Graph()
    s = URIRef("https://w3id.org/opsi-kg/id/case/x")
    g.add((s, DCTERMS.title, Literal('<script>alert("x")</script> & co', lang="en")))
    g.add((s, DCTERMS.description, Literal("a </p><img src=x onerror=alert(1)>", lang="en")))
    g.add((s, DCTERMS.source, URIRef('https://example.org/?q="><script>')))
    html = render_resource_page(g, s)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert 'href="https://example.org/?q=&quot;&gt;&lt;script&gt;"' in html


def test_renderer_gives_the_same_page_from_a_graph_and_from_a_store(default_build, stores):
    iri = "https://w3id.org/opsi-kg/id/case/accelerated-capability-environment"
    paths = {iri: "case/accelerated-capability-environment.html"}
    linker = Linker(paths)

    def link(i: str) -> str | None:
        return linker.href(i, paths[iri])

    from_graph = render_resource_page(default_build, iri, link=link, current=paths[iri])
    for backend, store in stores.items():
        assert render_resource_page(store, iri, link=link, current=paths[iri]) == from_graph, backend
    assert 'class="badge inferred"' in from_graph  # inferred statements are marked


def test_graph_source_keeps_inferred_statements_apart(default_build):
    source = GraphSource(default_build.asserted + default_build.vocabularies, default_build.inferred)
    desc = source.describe(URIRef("https://w3id.org/opsi-kg/id/case/accelerated-capability-environment"))
    inferred = {st.predicate for st in desc.outgoing if st.inferred}
    asserted = {st.predicate for st in desc.outgoing if not st.inferred}
    assert OPSI.involves in inferred and OPSI.ledBy in asserted
    assert isomorphic(desc.graph(), desc.graph())
    assert not [t for t in desc.graph() if t in default_build.inferred and t not in default_build.asserted]


def test_site_paths_are_safe_and_relative_links_work_from_any_depth():
    assert page_path("https://w3id.org/opsi-kg/id/case/a b") == "case/a_20b.html"
    assert page_path("https://w3id.org/opsi-kg/id/case/../../etc") == "case/_/_/etc.html"
    assert page_path("https://w3id.org/opsi-kg/id/index") == "r/index.html"
    assert relative("country/FRA.html", "record/x/countries-1.html") == "../../country/FRA.html"
    assert re.fullmatch(r"[A-Za-z0-9._/~-]+", page_path('https://w3id.org/opsi-kg/id/actor/é"<x>'))
