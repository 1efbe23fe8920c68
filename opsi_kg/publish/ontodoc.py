"""The ontology documentation page: classes, properties, datatypes and the SKOS schemes as trees.

Generated from the vocabularies graph (``ontology/*.ttl``), in the manner of pyLODE: one block per
term with its label, IRI, definition, super- and sub-terms, domains, ranges, inverses and property
chains, and how often the release uses it; then every concept scheme as a tree of its concepts
(by ``skos:broader`` / ``skos:narrower``), each concept linked to its page.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix opsi: <https://w3id.org/opsi-kg/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... opsi:Case a owl:Class ; rdfs:label "innovation case"@en .''', format="turtle")
>>> 'id="Case"' in ontology_body(g)
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import OPSI, compact
from .html import Labels, esc, lang_attr, pick_language, plural
from .html import link as a_link
from .pages import add_external_labels

ONTOLOGY_IRI = URIRef("https://w3id.org/opsi-kg/ontology")
Link = Callable[[str], str | None]


def _external(iri: str) -> str | None:
    return iri if iri.startswith(("http://", "https://")) else None


def local_name(term: Node) -> str:
    """The fragment of an ontology term (``Case`` for ``opsi:Case``), used as its anchor."""
    text = str(term)
    return text[len(str(OPSI)) :] if text.startswith(str(OPSI)) else text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def ontology_terms(vocab: Graph) -> dict[str, list[URIRef]]:
    """The ontology's own terms by kind, sorted by local name."""
    kinds = {
        "classes": OWL.Class,
        "object properties": OWL.ObjectProperty,
        "datatype properties": OWL.DatatypeProperty,
        "datatypes": RDFS.Datatype,
    }
    out = {}
    for name, kind in kinds.items():
        found = {s for s in vocab.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(OPSI))}
        out[name] = sorted(found, key=lambda t: (local_name(t).casefold(), str(t)))
    return out


def _text(vocab: Graph, term: Node, props: Iterable[URIRef], lang: str = "en") -> Literal | None:
    for prop in props:
        chosen = pick_language([o for o in vocab.objects(term, prop) if isinstance(o, Literal)], lang)
        if chosen is not None:
            return chosen
    return None


def _links(terms: Iterable[Node], labels: Labels, link_fn: Link) -> str:
    items = sorted({t for t in terms if isinstance(t, URIRef)}, key=labels.sort_key)
    return ", ".join(a_link(link_fn(str(t)), f"{labels.html(t)}", title=str(t)) for t in items) or "—"


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows if v) + "</dl>"


def _term_block(
    vocab: Graph, term: URIRef, kind: str, labels: Labels, link_fn: Link, usage: Counter, instances: Counter
) -> str:
    label = labels.html(term)
    definition = _text(vocab, term, (SKOS.definition, RDFS.comment, DCTERMS.description), labels.lang)
    rows: list[tuple[str, str]] = [("IRI", f"<code>{esc(str(term))}</code>")]
    if kind == "classes":
        rows.append(("Subclass of", _links(vocab.objects(term, RDFS.subClassOf), labels, link_fn)))
        subs = list(vocab.subjects(RDFS.subClassOf, term))
        if subs:
            rows.append(("Superclass of", _links(subs, labels, link_fn)))
        domain_of = list(vocab.subjects(RDFS.domain, term))
        range_of = list(vocab.subjects(RDFS.range, term))
        if domain_of:
            rows.append(("In the domain of", _links(domain_of, labels, link_fn)))
        if range_of:
            rows.append(("In the range of", _links(range_of, labels, link_fn)))
        rows.append(("In this release", esc(plural(instances[term], "instance"))))
    elif kind.endswith("properties"):
        rows.append(("Domain", _links(vocab.objects(term, RDFS.domain), labels, link_fn)))
        rows.append(("Range", _links(vocab.objects(term, RDFS.range), labels, link_fn)))
        supers = list(vocab.objects(term, RDFS.subPropertyOf))
        if supers:
            rows.append(("Sub-property of", _links(supers, labels, link_fn)))
        subs = list(vocab.subjects(RDFS.subPropertyOf, term))
        if subs:
            rows.append(("Super-property of", _links(subs, labels, link_fn)))
        inverses = set(vocab.objects(term, OWL.inverseOf)) | set(vocab.subjects(OWL.inverseOf, term))
        if inverses:
            rows.append(("Inverse of", _links(inverses, labels, link_fn)))
        for chain in vocab.objects(term, OWL.propertyChainAxiom):
            steps = list(Collection(vocab, chain))
            rows.append(
                ("Property chain", " ∘ ".join(a_link(link_fn(str(s)), labels.html(s), title=str(s)) for s in steps))
            )
        see = list(vocab.objects(term, RDFS.seeAlso))
        if see:
            rows.append(("See also", _links(see, labels, link_fn)))
        rows.append(("In this release", esc(plural(usage[term], "statement"))))
    defn = f'<p class="definition"{lang_attr(definition)}>{esc(definition)}</p>' if definition is not None else ""
    return (
        f'<section class="term" id="{esc(local_name(term))}">'
        f'<h3>{label} <code class="curie">{esc(compact(str(term)))}</code></h3>{defn}{_dl(rows)}</section>'
    )


def scheme_concepts(vocab: Graph, scheme: URIRef) -> tuple[list[URIRef], dict[URIRef, list[URIRef]]]:
    """The top concepts of a scheme and each concept's narrower concepts (within the scheme)."""
    members = {c for c in vocab.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}
    members |= {c for c in vocab.objects(scheme, SKOS.hasTopConcept) if isinstance(c, URIRef)}
    children: dict[URIRef, set[URIRef]] = {c: set() for c in members}
    has_parent: set[URIRef] = set()
    for c in members:
        for parent in vocab.objects(c, SKOS.broader):
            if parent in members:
                children[parent].add(c)
                has_parent.add(c)
        for child in vocab.objects(c, SKOS.narrower):
            if child in members:
                children[c].add(child)
                has_parent.add(child)
    tops = {c for c in vocab.objects(scheme, SKOS.hasTopConcept) if c in members}
    tops |= {c for c in vocab.subjects(SKOS.topConceptOf, scheme) if c in members}
    tops |= members - has_parent
    return sorted(tops, key=str), {c: sorted(kids, key=str) for c, kids in children.items()}


def concept_tree(
    vocab: Graph,
    scheme: URIRef,
    labels: Labels,
    link_fn: Link,
    counts: Callable[[URIRef], str] | None = None,
) -> str:
    """A scheme's concepts as nested lists; ``counts`` adds a note after each concept."""
    tops, children = scheme_concepts(vocab, scheme)

    def item(c: URIRef, seen: frozenset) -> str:
        note = f' <span class="count">{esc(counts(c))}</span>' if counts else ""
        local = str(c).rsplit("/", 1)[-1]
        notations = sorted({str(n) for n in vocab.objects(c, SKOS.notation)} - {labels.text(c), local, local.zfill(2)})
        code = "".join(f' <code class="notation">{esc(n)}</code>' for n in notations)
        inner = a_link(link_fn(str(c)), labels.html(c), title=str(c)) + code + note
        kids = [k for k in sorted(children.get(c, []), key=labels.sort_key) if k not in seen]
        if kids:
            inner += "<ul>" + "".join(item(k, seen | {k}) for k in kids) + "</ul>"
        return f"<li>{inner}</li>"

    return '<ul class="tree">' + "".join(item(t, frozenset({t})) for t in sorted(tops, key=labels.sort_key)) + "</ul>"


def ontology_body(
    vocab: Graph,
    *,
    labels: Labels | None = None,
    link: Link | None = None,
    data: Graph | None = None,
    sources: Iterable[tuple[str, str]] = (),
) -> str:
    """The documentation page's body. ``data`` (asserted + inferred) gives the usage counts;
    ``sources`` (file name, href) links the Turtle files the page was made from."""
    link_fn = link or _external
    if labels is None:
        labels = Labels(vocab)
        add_external_labels(labels)
    data = data if data is not None else Graph()
    usage = Counter(p for p in data.predicates())
    instances = Counter(o for o in data.objects(None, RDF.type))
    terms = ontology_terms(vocab)
    out = []
    onto = ONTOLOGY_IRI if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in vocab else None
    if onto is not None:
        desc = _text(vocab, onto, (DCTERMS.description, RDFS.comment), labels.lang)
        rows = [
            ("IRI", f"<code>{esc(str(onto))}</code>"),
            ("Namespace", f"<code>{esc(str(OPSI))}</code> (prefix <code>opsi:</code>)"),
        ]
        version = vocab.value(onto, OWL.versionInfo)
        if version is not None:
            rows.append(("Version", esc(version)))
        version_iri = vocab.value(onto, OWL.versionIRI)
        if version_iri is not None:
            rows.append(("Version IRI", f"<code>{esc(version_iri)}</code>"))
        licence = vocab.value(onto, DCTERMS.license)
        if licence is not None:
            rows.append(("Licence", a_link(str(licence), esc(str(licence)))))
        files = ", ".join(a_link(href, esc(name)) for name, href in sources)
        if files:
            rows.append(("Source files", files))
        if desc is not None:
            out.append(f'<p class="description"{lang_attr(desc)}>{esc(desc)}</p>')
        out.append(_dl(rows))
    schemes = sorted((s for s in vocab.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)), key=str)
    toc = [
        f'<li><a href="#{esc(k.replace(" ", "-"))}">{esc(k.capitalize())}</a> ({len(v)})</li>' for k, v in terms.items()
    ]
    toc.append(f'<li><a href="#concept-schemes">Concept schemes</a> ({len(schemes)})</li>')
    out.append('<nav class="toc" aria-label="contents"><ul>' + "".join(toc) + "</ul></nav>")
    for kind, items in terms.items():
        out.append(f'<section id="{esc(kind.replace(" ", "-"))}"><h2>{esc(kind.capitalize())}</h2>')
        out.append(
            '<p class="index">'
            + " · ".join(f'<a href="#{esc(local_name(t))}">{labels.html(t)}</a>' for t in items)
            + "</p>"
        )
        out += [_term_block(vocab, t, kind, labels, link_fn, usage, instances) for t in items]
        out.append("</section>")
    out.append('<section id="concept-schemes"><h2>Concept schemes</h2>')
    for scheme in schemes:
        title = labels.html(scheme)
        desc = _text(vocab, scheme, (SKOS.definition, DCTERMS.description, RDFS.comment), labels.lang)
        anchor = "scheme-" + str(scheme).rstrip("/").rsplit("/", 1)[-1]
        n = len({c for c in vocab.subjects(SKOS.inScheme, scheme)})
        out.append(f'<section class="scheme" id="{esc(anchor)}"><h3>{a_link(link_fn(str(scheme)), title)}</h3>')
        out.append(f'<p class="iri"><code>{esc(str(scheme))}</code> · {esc(plural(n, "concept"))}</p>')
        if desc is not None:
            out.append(f'<p class="definition"{lang_attr(desc)}>{esc(desc)}</p>')
        if n > 60:
            out.append(f"<details><summary>Show all {n} concepts</summary>")
        out.append(concept_tree(vocab, scheme, labels, link_fn))
        if n > 60:
            out.append("</details>")
        out.append("</section>")
    out.append("</section>")
    return "\n".join(out)
