"""The static site of a release: a page per resource, index pages, charts, saved queries, ontology.

Layout (all links relative, so the folder works from ``file://`` and from any static host)::

    index.html                 home: headline statistics, charts, downloads
    case/<slug>.html           one page per resource, at a path derived from its IRI, with the
    case/<slug>.ttl, .jsonld   same resource as Turtle and JSON-LD beside it (also actor/, award/,
                               record/, theme/, level/, actor-type/, region/, scheme/, country/, sdg/)
    browse/*.html              indexes by country, theme, year, level of government; all cases, organisations
    queries/<name>.html        each saved query: SPARQL, parameters, result table (+ .csv, .json)
    ontology.html              classes, properties, datatypes, concept schemes as trees
    ontology/*.ttl             the vocabulary files the page documents
    charts/*.svg               cases per theme, per country, per year
    style.css

A resource's page path is its IRI less the instance base (``…/id/case/x`` -> ``case/x.html``);
EU country IRIs go to ``country/<CODE>.html``, SDG goals to ``sdg/<n>.html``, ontology terms to
anchors of ``ontology.html``; an IRI with a ``#fragment`` to its document's page and anchor.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from .. import __version__
from ..export import jsonld, turtle
from ..namespaces import (
    ASSERTED_GRAPH,
    COUNTRY,
    COUNTRY_SCHEME,
    DEFAULT_BASE,
    INFERRED_GRAPH,
    OPSI,
    SDG,
    VOCAB_GRAPH,
    bind_prefixes,
)
from ..pipeline import BuildResult
from ..queries import SavedQuery, catalogue, run_saved
from ..render import render_table
from ..resources import ontology_dir
from ..stats import statistics
from ..store import QueryError, open_store
from .charts import bar_chart, column_chart
from .dcat import CATALOG_PREFIXES, THEME_SCHEME, FileInfo
from .html import Frame, Labels, Linker, esc, link, plural, relative, table
from .ontodoc import local_name, ontology_body
from .pages import GraphSource, add_external_labels, render_resource_body

SDG_SCHEME = URIRef("http://metadata.un.org/sdg")
ONTOLOGY_IRI = URIRef("https://w3id.org/opsi-kg/ontology")
MARKER = ".opsi-kg-site"
RESERVED = {"index", "ontology", "style", "browse", "queries", "charts"}
LEVEL_SCHEME = URIRef(DEFAULT_BASE + "scheme/levels-of-government")

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class Download:
    """A file of the release the home page links to (its name is relative to the release folder)."""

    file: FileInfo
    title: str
    media_type: str = ""


@dataclass
class SiteOptions:
    site_url: str | None = None  # absolute URL the site folder is published at (canonical links)
    title: str = "opsi-kg"
    lang: str = "en"
    date: dt.date | None = None
    downloads: list[Download] = field(default_factory=list)
    catalog: Graph | None = None  # the release's DCAT-AP description: pages for id:catalog, id:dataset


@dataclass
class Site:
    """What :func:`write_site` wrote: the folder, the page of every resource, every file."""

    root: Path
    pages: dict[str, str]  # resource IRI -> page path (site-relative)
    files: list[str]  # every file written (site-relative, sorted)


def _safe_path(rest: str) -> str:
    """A path relative to the site from the part of an IRI after its namespace."""
    rest = rest.strip("/")
    clean = re.sub(r"[^A-Za-z0-9._~/-]", lambda m: "_" + "".join(f"{b:02X}" for b in m.group(0).encode()), rest)
    clean = "/".join(part if part not in ("", ".", "..") else "_" for part in clean.split("/"))
    if clean.split("/", 1)[0] in RESERVED:
        clean = "r/" + clean
    return clean


def page_path(iri: str, base: str = DEFAULT_BASE) -> str | None:
    """Where the page of ``iri`` goes in the site, or None when it gets no page of its own.

    >>> page_path("https://w3id.org/opsi-kg/id/case/my-case")
    'case/my-case.html'
    >>> page_path("http://publications.europa.eu/resource/authority/country/FRA")
    'country/FRA.html'
    >>> page_path("https://example.org/elsewhere") is None
    True
    """
    if "#" in iri:
        return None
    if iri == str(COUNTRY_SCHEME):
        return "country/index.html"
    if iri == str(SDG_SCHEME):
        return "sdg/index.html"
    for ns, folder in ((str(COUNTRY), "country/"), (str(SDG), "sdg/")):
        if iri.startswith(ns) and len(iri) > len(ns):
            return folder + _safe_path(iri[len(ns) :]) + ".html"
    for ns in dict.fromkeys((base, DEFAULT_BASE)):
        if iri.startswith(ns) and len(iri) > len(ns):
            return _safe_path(iri[len(ns) :]) + ".html"
    return None


def site_resources(graphs: Iterable[Graph], base: str = DEFAULT_BASE) -> dict[str, str]:
    """Every IRI of ``graphs`` (as subject or object) that gets a page, with its page path."""
    out: dict[str, str] = {}
    for g in graphs:
        for s, _p, o in g:
            for term in (s, o):
                if isinstance(term, URIRef) and str(term) not in out:
                    path = page_path(str(term), base)
                    if path is not None:
                        out[str(term)] = path
    return dict(sorted(out.items()))


def _ontology_paths(vocab: Graph) -> dict[str, str]:
    paths = {str(ONTOLOGY_IRI): "ontology.html"}
    for s in vocab.subjects():
        if isinstance(s, URIRef) and str(s).startswith(str(OPSI)):
            paths[str(s)] = f"ontology.html#{local_name(s)}"
    return paths


class SiteWriter:
    """Writes one site; see :func:`write_site`."""

    def __init__(self, result: BuildResult, root: Path, options: SiteOptions):
        self.result = result
        self.root = root
        self.options = options
        self.base = result.base
        self.files: list[str] = []
        self.main = Graph()
        for part in (result.asserted, result.vocabularies):
            for triple in part:
                self.main.add(triple)
        self.catalog = options.catalog if options.catalog is not None else Graph()
        self.labels = Labels(lang=options.lang)
        self.labels.add_graph(self.main)
        self.labels.add_graph(self.catalog)
        add_external_labels(self.labels)
        self.data_source = GraphSource(self.main, result.inferred, self.labels)
        self.catalog_source = GraphSource(self.catalog, None, self.labels)
        self.resources = site_resources([result.asserted, result.vocabularies, result.inferred], self.base)
        catalog_pages = {
            str(s): p
            for s in set(self.catalog.subjects())
            if isinstance(s, URIRef)
            and (p := page_path(str(s), self.base)) is not None
            and str(s) not in self.resources
        }
        self.catalog_pages = dict(sorted(catalog_pages.items()))
        paths = {**_ontology_paths(result.vocabularies), **self.resources, **self.catalog_pages}
        self.linker = Linker(paths)
        nav = [
            ("Home", "index.html"),
            ("Cases", "browse/cases.html"),
            ("Countries", "browse/countries.html"),
            ("Themes", "browse/themes.html"),
            ("Years", "browse/years.html"),
            ("Levels", "browse/levels.html"),
            ("Organisations", "browse/actors.html"),
            ("Queries", "queries/index.html"),
            ("Ontology", "ontology.html"),
        ]
        dataset = self.catalog_pages.get(self.base + "dataset")
        if dataset:
            nav.append(("Dataset", dataset))
        date = options.date.isoformat() if options.date else ""
        footer = (
            f"Made by opsi-kg {esc(__version__)}{' on ' + esc(date) if date else ''} from "
            f"{esc(plural(result.report.built, 'case record'))}. "
            f'<a href="{{root}}index.html#downloads">Downloads</a> · '
            f'<a href="{{root}}ontology.html">Ontology</a>'
        )
        self._footer = footer
        self.frame = Frame(site_title=options.title, lang=options.lang, nav=nav)

    # ---------------------------------------------------------------- helpers

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        self.files.append(rel)

    def page(self, current: str, title: str, body: str, **kw) -> None:
        root = "../" * current.count("/")
        self.frame.footer_html = self._footer.replace("{root}", root)
        canonical = self.options.site_url + current if self.options.site_url else None
        self.write(current, self.frame.page(current, title, body, canonical=canonical, **kw))

    def href(self, iri: Node | str, current: str) -> str | None:
        return self.linker.href(str(iri), current)

    def a(self, iri, current: str) -> str:
        """A linked label for ``iri`` on the page ``current``."""
        return link(self.href(iri, current), self.labels.html(iri), title=str(iri))

    # ---------------------------------------------------------------- data

    def cases(self) -> list[URIRef]:
        return sorted(self.result.asserted.subjects(RDF.type, OPSI.Case), key=self.labels.sort_key)

    def group(self, prop: URIRef, graph: Graph | None = None) -> dict[Node, list[URIRef]]:
        graph = graph if graph is not None else self.result.asserted
        out: dict[Node, list[URIRef]] = {}
        for case in self.cases():
            for value in graph.objects(case, prop):
                out.setdefault(value, []).append(case)
        return out

    def year(self, case: URIRef) -> str | None:
        y = self.result.asserted.value(case, OPSI.launchYear)
        return str(y)[:4] if y is not None else None

    def case_list(self, cases: Iterable[URIRef], current: str) -> str:
        items = sorted(set(cases), key=self.labels.sort_key)
        return '<ul class="cases">' + "".join(f"<li>{self.a(c, current)}</li>" for c in items) + "</ul>"

    # ---------------------------------------------------------------- resource pages

    def resource_pages(self, progress: Progress) -> None:
        jobs = [(iri, path, self.data_source) for iri, path in self.resources.items()]
        jobs += [(iri, path, self.catalog_source) for iri, path in self.catalog_pages.items()]
        for n, (iri, path, source) in enumerate(jobs, start=1):
            if n % 250 == 0:
                progress(f"site: {n} of {len(jobs)} resource pages")
            desc = source.describe(URIRef(iri))
            stem = path[: -len(".html")]
            name = stem.rsplit("/", 1)[-1]
            alternates = {"text/turtle": f"{name}.ttl", "application/ld+json": f"{name}.jsonld"}
            body = render_resource_body(desc, self.labels, lambda i, _p=path: self.href(i, _p), alternates=alternates)
            head = "".join(f'<link rel="alternate" type="{mt}" href="{esc(h)}">\n' for mt, h in alternates.items())
            kinds = sorted({"type-" + local_name(st.value).lower() for st in desc.outgoing if st.predicate == RDF.type})
            self.page(
                path,
                self.labels.text(URIRef(iri)),
                body,
                title_html=self.labels.html(URIRef(iri)),
                head_extra=head,
                page_class=" ".join(["resource", *kinds]),
            )
            doc = desc.graph()
            prefixes = CATALOG_PREFIXES if source is self.catalog_source else None
            self.write(f"{stem}.ttl", _turtle(doc, self.base, prefixes))
            self.write(f"{stem}.jsonld", jsonld(doc, self.base))

    # ---------------------------------------------------------------- indexes

    def browse_cases(self) -> None:
        cur = "browse/cases.html"
        countries = self.group(OPSI.country)
        by_case: dict[URIRef, list[Node]] = {}
        for country, cases in countries.items():
            for c in cases:
                by_case.setdefault(c, []).append(country)
        rows = []
        for case in self.cases():
            cs = sorted(by_case.get(case, []), key=self.labels.sort_key)
            level = self.result.asserted.value(case, OPSI.levelOfGovernment)
            themes = sorted(self.result.asserted.objects(case, OPSI.theme), key=self.labels.sort_key)
            rows.append(
                [
                    self.a(case, cur),
                    ", ".join(self.a(c, cur) for c in cs) or "—",
                    esc(self.year(case) or "—"),
                    self.a(level, cur) if level is not None else "—",
                    ", ".join(self.a(t, cur) for t in themes) or "—",
                ]
            )
        body = f"<p>{esc(plural(len(rows), 'case'))}, by title.</p>" + table(
            ["case", "countries", "year", "level of government", "themes"], rows, cls="index"
        )
        self.page(cur, "All cases", body)

    def browse_countries(self) -> None:
        cur = "browse/countries.html"
        groups = self.group(OPSI.country)
        order = sorted(groups, key=lambda c: (-len(groups[c]), self.labels.sort_key(c)))
        rows = [[self.a(c, cur), str(len(groups[c])), self.case_list(groups[c], cur)] for c in order]
        regions = self.group(OPSI.inRegion, self._asserted_and_inferred())
        region_rows = [
            [self.a(r, cur), str(len(v)), self.case_list(v, cur)]
            for r, v in sorted(regions.items(), key=lambda kv: (-len(kv[1]), self.labels.sort_key(kv[0])))
        ]
        body = (
            f"<p>{esc(plural(len(order), 'country', 'countries'))} with cases. A case run in several countries "
            "counts for each.</p>"
            + table(["country", "cases", "which"], rows, cls="index")
            + '<h2 id="regions">By region</h2><p>Regions a case is in, named in its record or through its '
            "countries (inferred).</p>" + table(["region", "cases", "which"], region_rows, cls="index")
        )
        self.page(cur, "Cases by country", body)

    def _asserted_and_inferred(self) -> Graph:
        if not hasattr(self, "_ai"):
            g = Graph()
            for part in (self.result.asserted, self.result.inferred):
                for triple in part:
                    g.add(triple)
            self._ai = g
        return self._ai

    def _all(self) -> Graph:
        g = Graph()
        for part in (self.main, self.result.inferred):
            for triple in part:
                g.add(triple)
        return g

    def theme_counts(self) -> tuple[Counter, Counter]:
        direct = Counter({t: len(v) for t, v in self.group(OPSI.theme).items()})
        total = Counter({t: len(v) for t, v in self.group(OPSI.addressesTheme, self._asserted_and_inferred()).items()})
        return direct, total

    def browse_themes(self) -> None:
        from .ontodoc import concept_tree

        cur = "browse/themes.html"
        direct, total = self.theme_counts()

        def note(t: URIRef) -> str:
            return f"{direct[t]} direct, {total[t]} with narrower themes"

        tree = concept_tree(self.result.vocabularies, THEME_SCHEME, self.labels, lambda i: self.href(i, cur), note)
        keywords = Counter(str(k) for k in self.result.asserted.objects(None, OPSI.keyword))
        kw = ""
        if keywords:
            kw = (
                '<h2 id="keywords">Keywords outside the theme scheme</h2><p>'
                + ", ".join(f"{esc(k)} ({n})" for k, n in sorted(keywords.items()))
                + "</p>"
            )
        body = (
            "<p>The theme scheme as a tree. <em>Direct</em> counts cases whose record names the theme; "
            "<em>with narrower themes</em> counts every case that addresses it (inferred through "
            "<code>skos:broader</code>).</p>" + tree + kw
        )
        self.page(cur, "Cases by theme", body)

    def browse_years(self) -> None:
        cur = "browse/years.html"
        by_year: dict[str, list[URIRef]] = {}
        unknown = []
        for case in self.cases():
            y = self.year(case)
            if y is None:
                unknown.append(case)
            else:
                by_year.setdefault(y, []).append(case)
        rows = [
            [f'<span id="y{esc(y)}">{esc(y)}</span>', str(len(v)), self.case_list(v, cur)]
            for y, v in sorted(by_year.items())
        ]
        body = table(["year of launch", "cases", "which"], rows, cls="index")
        if unknown:
            body += f'<h2 id="no-year">No year given ({len(unknown)})</h2>' + self.case_list(unknown, cur)
        self.page(cur, "Cases by year", body)

    def browse_levels(self) -> None:
        cur = "browse/levels.html"
        groups = self.group(OPSI.levelOfGovernment)
        levels = sorted(set(self.result.vocabularies.subjects(SKOS.inScheme, LEVEL_SCHEME)), key=self.labels.sort_key)
        rows = [
            [self.a(lv, cur), str(len(groups.get(lv, []))), self.case_list(groups.get(lv, []), cur)] for lv in levels
        ]
        none = [c for c in self.cases() if self.result.asserted.value(c, OPSI.levelOfGovernment) is None]
        body = table(["level of government", "cases", "which"], rows, cls="index")
        if none:
            body += f'<h2 id="no-level">No level given ({len(none)})</h2>' + self.case_list(none, cur)
        self.page(cur, "Cases by level of government", body)

    def browse_actors(self) -> None:
        cur = "browse/actors.html"
        g = self.result.asserted
        actors = sorted(g.subjects(RDF.type, OPSI.Actor), key=self.labels.sort_key)
        roles = (OPSI.ledBy, OPSI.partner, OPSI.fundedBy)
        rows = []
        for actor in actors:
            cases = {c for p in roles for c in g.subjects(p, actor)}
            kind = g.value(actor, OPSI.actorType)
            where = g.value(actor, OPSI.basedIn)
            rows.append(
                [
                    self.a(actor, cur),
                    self.a(kind, cur) if kind is not None else "—",
                    self.a(where, cur) if where is not None else "—",
                    str(len(cases)),
                ]
            )
        body = f"<p>{esc(plural(len(rows), 'organisation'))}.</p>" + table(
            ["organisation", "type", "based in", "cases"], rows, cls="index"
        )
        self.page(cur, "Organisations", body)

    # ---------------------------------------------------------------- charts and home

    def charts(self) -> dict[str, str]:
        _direct, total = self.theme_counts()
        tops = set(self.result.vocabularies.objects(THEME_SCHEME, SKOS.hasTopConcept))
        theme_items = [
            (self.labels.text(t), n, self.href(t, "index.html"))
            for t, n in sorted(total.items(), key=lambda kv: (-kv[1], self.labels.sort_key(kv[0])))
            if t in tops
        ]
        countries = self.group(OPSI.country)
        country_items = [
            (self.labels.text(c), len(v), self.href(c, "index.html"))
            for c, v in sorted(countries.items(), key=lambda kv: (-len(kv[1]), self.labels.sort_key(kv[0])))
        ][:20]
        years = Counter(y for c in self.cases() if (y := self.year(c)) is not None)
        year_items: list[tuple[str, int, str | None]] = []
        if years:
            first, last = int(min(years)), int(max(years))
            for y in range(first, last + 1):
                key = f"{y:04d}"
                year_items.append((key, years.get(key, 0), f"browse/years.html#y{key}" if key in years else None))
        charts = {
            "cases-per-theme": bar_chart("Cases per theme (top-level themes)", theme_items, chart_id="chart-themes"),
            "cases-per-country": bar_chart(
                "Cases per country" + (" (top 20)" if len(countries) > 20 else ""),
                country_items,
                chart_id="chart-countries",
            ),
            "cases-per-year": column_chart("Cases per year of launch", year_items, chart_id="chart-years"),
        }
        for name, svg in charts.items():
            self.write(f"charts/{name}.svg", '<?xml version="1.0" encoding="utf-8"?>\n' + svg)
        return charts

    def home(self, charts: Mapping[str, str]) -> None:
        cur = "index.html"
        stats = statistics(self.result)
        report = self.result.report
        headline = [
            ("cases", stats["cases"], "browse/cases.html"),
            ("countries", stats["countries"], "browse/countries.html"),
            ("organisations", stats["actors"], "browse/actors.html"),
            ("themes used", stats["themes"], "browse/themes.html"),
            ("awards", stats["awards"], None),
            ("asserted triples", stats["asserted triples"], None),
            ("inferred triples", stats["inferred triples"], None),
        ]
        cards = "".join(
            f'<li class="stat"><span class="n">{n}</span> {link(relative(p, cur) if p else None, esc(label))}</li>'
            for label, n, p in headline
        )
        quality = (
            f"<p>{esc(report.summary())}. "
            f"{link('../validation-report.md', 'Validation report')} "
            f"({link('../validation-report.ttl', 'as SHACL Turtle')}).</p>"
        )
        chart_html = "".join(
            f'<figure class="chart">{svg}<figcaption>{link(f"charts/{name}.svg", "SVG")}'
            f"{' · ' + link(target, 'index') if target else ''}</figcaption></figure>"
            for name, svg, target in (
                ("cases-per-theme", charts["cases-per-theme"], "browse/themes.html"),
                ("cases-per-country", charts["cases-per-country"], "browse/countries.html"),
                ("cases-per-year", charts["cases-per-year"], "browse/years.html"),
            )
        )
        rows = []
        for d in self.options.downloads:
            rows.append(
                [
                    link("../" + d.file.name, esc(d.file.name)),
                    esc(d.title),
                    esc(d.media_type),
                    esc(f"{d.file.size:,}".replace(",", " ")),
                    f'<code class="sha" title="{esc(d.file.sha256)}">{esc(d.file.sha256[:16])}…</code>',
                ]
            )
        downloads = ""
        if rows:
            downloads = (
                '<section id="downloads"><h2>Downloads</h2>'
                + table(["file", "what", "media type", "bytes", "SHA-256"], rows, cls="downloads")
                + f"<p>Checksums of every file: {link('../SHA256SUMS', 'SHA256SUMS')} "
                "(<code>sha256sum -c SHA256SUMS</code>).</p></section>"
            )
        dataset = self.catalog_pages.get(self.base + "dataset")
        about = ""
        if dataset:
            about = (
                f"<p>The release is described in DCAT-AP {link('../catalog.ttl', 'catalog.ttl')} "
                f"(see {link(relative(dataset, cur), 'the dataset page')}).</p>"
            )
        body = (
            '<p class="lead">A linked-data knowledge graph of public-sector innovation cases: which cases ran in '
            "which countries, which organisations led, joined or funded them, and which themes they address. "
            "Every page has its data beside it as Turtle and JSON-LD.</p>"
            f'<ul class="stats">{cards}</ul>{quality}{about}'
            f'<section id="charts"><h2>Charts</h2>{chart_html}</section>'
            '<section id="explore"><h2>Explore</h2><ul>'
            f"<li>{link('browse/cases.html', 'All cases')}, "
            f"{link('browse/countries.html', 'by country and region')}, {link('browse/themes.html', 'by theme')}, "
            f"{link('browse/years.html', 'by year')}, {link('browse/levels.html', 'by level of government')}</li>"
            f"<li>{link('browse/actors.html', 'Organisations')}</li>"
            f"<li>{link('queries/index.html', 'Saved SPARQL queries')} with their results on this release</li>"
            f"<li>{link('ontology.html', 'Ontology and concept schemes')}</li>"
            f"</ul></section>{downloads}"
        )
        self.page(cur, self.options.title, body, title_html=esc(self.options.title), page_class="home")

    # ---------------------------------------------------------------- queries

    def query_pages(self) -> None:
        # Loaded in sorted order, so that results whose order SPARQL leaves open (GROUP_CONCAT, ties
        # in ORDER BY) come out the same in every run.
        graphs = {
            ASSERTED_GRAPH: _sorted_graph(self.result.asserted),
            INFERRED_GRAPH: _sorted_graph(self.result.inferred),
            VOCAB_GRAPH: _sorted_graph(self.result.vocabularies),
        }
        store = open_store(graphs)
        saved = catalogue()
        rows = []
        for name, q in saved.items():
            cur = f"queries/{_safe_path(name)}.html"
            n = self.query_page(store, q, cur)
            rows.append(
                [
                    link(relative(cur, "queries/index.html"), esc(name)),
                    esc(q.title),
                    esc(", ".join(q.tags)),
                    esc("—" if n is None else str(n)),
                ]
            )
        body = (
            "<p>The saved queries of <code>queries/</code>, run on this release with their default "
            "parameters. Quality-control queries (<code>*-violation</code>) must return no rows.</p>"
            + table(["query", "title", "tags", "rows"], rows, cls="index")
        )
        self.page("queries/index.html", "Saved queries", body)

    def query_page(self, store, q: SavedQuery, cur: str) -> int | None:
        stem = cur[: -len(".html")]
        name = stem.rsplit("/", 1)[1]
        parts = []
        if q.summary:
            parts.append(f'<p class="description">{esc(q.summary)}</p>')
        meta = [("name", f"<code>{esc(q.name)}</code>")]
        if q.tags:
            meta.append(("tags", esc(", ".join(q.tags))))
        if q.is_qc:
            meta.append(("quality control", "must return no rows"))
        parts.append("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>")
        if q.params:
            prow = [[f"<code>{esc(p.name)}</code>", esc(p.kind), esc(p.default or "—"), esc(p.doc)] for p in q.params]
            parts.append("<h2>Parameters</h2>" + table(["name", "kind", "default", "meaning"], prow))
        parts.append(f'<h2>SPARQL</h2><pre class="sparql"><code>{esc(q.text)}</code></pre>')
        parts.append(
            f"<p>Run it yourself: <code>opsi-kg query run {esc(q.name)}"
            + "".join(f" --param {esc(p.name)}=…" for p in q.params)
            + "</code></p>"
        )
        missing = [p.name for p in q.params if p.default is None]
        n: int | None = None
        if missing:
            parts.append(
                f"<h2>Results</h2><p>Not run: the query needs {esc(', '.join(missing))} and has no default for it.</p>"
            )
        else:
            try:
                result = run_saved(store, q, {}, base=self.base)
            except QueryError as exc:
                parts.append(f'<h2>Results</h2><p class="error">The query failed: {esc(exc)}</p>')
            else:
                result = canonical_group_concat(q.text, result)
                parts.append(self.result_table(result, cur, name))
                n = len(result.rows) if result.kind == "table" else None
        self.page(cur, q.title or q.name, "\n".join(parts), page_class="query")
        return n

    def result_table(self, result, cur: str, name: str) -> str:
        if result.kind == "boolean":
            return f"<h2>Result</h2><p><strong>{'yes' if result.boolean else 'no'}</strong></p>"
        if result.kind == "graph":
            self.write(f"queries/{name}.ttl", _turtle(result.graph, self.base, None))
            return f"<h2>Result</h2><p>{link(f'{name}.ttl', 'The constructed graph as Turtle')}.</p>"
        self.write(f"queries/{name}.csv", render_table(result, "csv"))
        self.write(f"queries/{name}.json", render_table(result, "json"))
        rows = []
        for row in result.rows:
            cells = []
            for v in row:
                if v is None:
                    cells.append("")
                elif isinstance(v, URIRef):
                    cells.append(self.a(v, cur))
                elif isinstance(v, Literal) and v.language:
                    cells.append(f'<span lang="{esc(v.language)}">{esc(v)}</span>')
                else:
                    cells.append(esc(v))
            rows.append(cells)
        files = f"{link(f'{name}.csv', 'CSV')} · {link(f'{name}.json', 'SPARQL JSON')}"
        return (
            f'<h2>Results <span class="count">({len(rows)} row{"s" if len(rows) != 1 else ""})</span></h2>'
            f"<p>{files}</p>" + table(result.vars, rows, cls="results")
        )

    # ---------------------------------------------------------------- ontology

    def ontology(self) -> None:
        cur = "ontology.html"
        sources = []
        for path in sorted(ontology_dir().glob("*.ttl")):
            self.write(f"ontology/{path.name}", path.read_text(encoding="utf-8"))
            sources.append((path.name, f"ontology/{path.name}"))
        body = ontology_body(
            self.result.vocabularies,
            labels=self.labels,
            link=lambda i: self.href(i, cur),
            data=self._all(),
            sources=sources,
        )
        title = self.labels.text(ONTOLOGY_IRI) if self.labels.get(ONTOLOGY_IRI) is not None else "Ontology"
        self.page(cur, title, body, page_class="ontology")

    def stylesheet(self) -> None:
        from .style import STYLESHEET

        self.write("style.css", STYLESHEET)

    def run(self, progress: Progress) -> Site:
        progress(f"site: {len(self.resources) + len(self.catalog_pages)} resource pages")
        self.resource_pages(progress)
        progress("site: indexes, charts, queries, ontology")
        self.browse_cases()
        self.browse_countries()
        self.browse_themes()
        self.browse_years()
        self.browse_levels()
        self.browse_actors()
        self.home(self.charts())
        self.query_pages()
        self.ontology()
        self.stylesheet()
        self.write(MARKER, json.dumps({"generator": f"opsi-kg {__version__}"}) + "\n")
        pages = {**self.resources, **self.catalog_pages}
        return Site(self.root, pages, sorted(self.files))


_GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?[^;)]*;\s*SEPARATOR\s*=\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')\s*\)"
    r"\s*AS\s*\?(\w+)",
    re.IGNORECASE,
)


def canonical_group_concat(sparql: str, result):
    """Sort the parts of ``GROUP_CONCAT`` values, whose order SPARQL leaves undefined.

    Engines concatenate in whatever order they met the values; sorting them makes a saved query's
    table the same in every release.

    >>> from opsi_kg.store import QueryResult
    >>> q = 'SELECT ?c (GROUP_CONCAT(?x; SEPARATOR=", ") AS ?xs) WHERE { }'
    >>> canonical_group_concat(q, QueryResult(["c", "xs"], [(Literal("c"), Literal("b, a"))])).rows
    [(rdflib.term.Literal('c'), rdflib.term.Literal('a, b'))]
    """
    if result.kind != "table":
        return result
    separators = {
        m.group(2): m.group(1)[1:-1].encode().decode("unicode_escape") for m in _GROUP_CONCAT.finditer(sparql)
    }
    columns = {result.vars.index(v): sep for v, sep in separators.items() if v in result.vars and sep}
    if not columns:
        return result
    rows = []
    for row in result.rows:
        row = list(row)
        for i, sep in columns.items():
            value = row[i]
            if isinstance(value, Literal) and not value.datatype and not value.language:
                row[i] = Literal(sep.join(sorted(str(value).split(sep))))
        rows.append(tuple(row))
    return type(result)(result.vars, rows, result.boolean, result.graph)


def _sorted_graph(graph: Graph) -> Graph:
    out = Graph()
    for triple in sorted(graph):
        out.add(triple)
    return out


def _turtle(graph: Graph, base: str, prefixes: Mapping[str, str] | None) -> str:
    """Turtle with the project's prefixes (and ``prefixes`` too, for the catalogue's vocabularies)."""
    if not prefixes:
        return turtle(graph, base)
    g = bind_prefixes(Graph(), base)
    for prefix, ns in prefixes.items():
        g.bind(prefix, ns, override=True, replace=True)
    for triple in graph:
        g.add(triple)
    return g.serialize(format="turtle")


class SiteError(Exception):
    """The site cannot be written (e.g. the target folder is not a site this tool made)."""


def check_site_folder(out: Path | str) -> None:
    """Raise :class:`SiteError` if ``out`` exists, is not empty and was not made by :func:`write_site`."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (not (out / MARKER).exists() and any(out.iterdir()))):
        raise SiteError(f"{out} exists and is not a site made by opsi-kg; choose another folder or remove it")


def write_site(result: BuildResult, out: Path | str, options: SiteOptions | None = None, *, progress=_quiet) -> Site:
    """Write the static site of ``result`` into the folder ``out`` (replacing a site made before).

    The site is written beside ``out`` first and moved into place when complete, so a reader never
    sees half a site. A folder ``out`` that exists and was not made by this function is left alone
    (:class:`SiteError`).
    """
    out = Path(out)
    options = options or SiteOptions()
    check_site_folder(out)
    tmp = out.with_name(f".{out.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        site = SiteWriter(result, tmp, options).run(progress)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    site.root = out
    return site
