"""The dump writers of opsi_kg.turtle: the same bytes as a plain reference writer, valid RDF, pieces that join up."""

from __future__ import annotations

import random

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from opsi_kg.export import atomic_write, write_exports
from opsi_kg.terms import graph_triples, iri, literal
from opsi_kg.turtle import (
    RDF_TYPE,
    SortedTriples,
    _Terms,
    ntriples,
    ntriples_chunks,
    trig,
    trig_chunks,
    turtle,
    turtle_chunks,
)

PREFIXES = {
    "ex": "http://example.org/",
    "exo": "http://example.org/ontology#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "urn": "urn:x:",  # a namespace ending neither in / nor in #
}


# The writer as it was first written (group by subject, sort subjects, sort (predicate, object)
# pairs with rdf:type keyed first): the reference for the bytes.
def _reference_blocks(triples, terms, indent=""):
    by_subject = {}
    for s, p, o in triples:
        by_subject.setdefault(s, []).append((" a" if p == RDF_TYPE else p, o))
    blocks = []
    for s in sorted(by_subject):
        pairs = sorted(by_subject[s])
        out, cur = [indent, terms.term(s)], None
        for p, o in pairs:
            if p != cur:
                sep = f" ;\n{indent}    " if cur is not None else " "
                out += (sep, "a" if p == " a" else terms.term(p), " ", terms.term(o))
                cur = p
            else:
                out += (f",\n{indent}        ", terms.term(o))
        out.append(" .\n")
        blocks.append("".join(out))
    return blocks


def _reference_prologue(terms, prefixes):
    return "".join(f"@prefix {p}: <{prefixes[p]}> .\n" for p in sorted(terms.used)) + "\n"


def reference_turtle(triples, prefixes):
    terms = _Terms(prefixes)
    body = "\n".join(_reference_blocks(triples, terms))
    return _reference_prologue(terms, prefixes) + body


def reference_trig(graphs, prefixes):
    terms = _Terms(prefixes)
    body = [f"<{n}> {{\n" + "\n".join(_reference_blocks(graphs[n], terms, "    ")) + "}\n" for n in sorted(graphs)]
    return _reference_prologue(terms, prefixes) + "\n".join(body)


def reference_ntriples(triples):
    return "".join(sorted({f"{s} {p} {o} .\n" for s, p, o in triples}))


def _triples(n: int, seed: int) -> set:
    """Awkward triples: blank nodes whose labels are prefixes of others, literals that are prefixes
    of others (plain, tagged, typed), control characters and non-Latin text, several types,
    rdf:type sorting amid other predicates, IRIs that cannot be prefixed."""
    rng = random.Random(seed)
    subjects = [iri(f"http://example.org/s{i}") for i in range(12)] + [f"_:b{i}" for i in (1, 10, 2, 11)]
    subjects += [iri("http://example.org/a.b/"), iri("urn:x:loc"), iri("http://other.net/x#y")]
    predicates = [RDF_TYPE, iri("http://example.org/ontology#p"), iri("http://example.org/ontology#q"),
                  iri("http://example.org/A"), iri("http://example.org/z"), iri("http://www.w3.org/2000/01/rdf-schema#label")]
    objects = [iri("http://example.org/ontology#Class"), iri("http://example.org/ontology#Other"), iri("http://example.org/o."),
               literal("a"), literal("a", lang="en"), literal("a", lang="en-gb"), literal("a b"), literal("a\tb"),
               literal("é ü"), literal("日本"), literal('q"uote\\\n'), literal("2020", datatype="http://www.w3.org/2001/XMLSchema#gYear"),
               literal("2020", datatype="http://example.org/dt/"), "_:b1", "_:b10"]
    return {(rng.choice(subjects), rng.choice(predicates), rng.choice(objects)) for _ in range(n)}


@pytest.mark.parametrize("seed", range(8))
def test_the_same_bytes_as_the_reference_writer(seed):
    triples = _triples(60, seed)
    assert turtle(triples, PREFIXES) == reference_turtle(triples, PREFIXES)
    assert ntriples(triples) == reference_ntriples(triples)
    graphs = {"http://example.org/g2": triples, "http://example.org/g1": _triples(30, seed + 100), "urn:empty": set()}
    assert trig(graphs, PREFIXES) == reference_trig(graphs, PREFIXES)


def test_pieces_join_up_to_the_text_and_a_shared_sort_changes_nothing():
    triples = _triples(300, 1)
    shared = SortedTriples(triples)
    text = turtle(triples, PREFIXES)
    assert "".join(turtle_chunks(shared, PREFIXES)) == text
    assert "".join(ntriples_chunks(shared)) == ntriples(triples) == "".join(ntriples_chunks(list(triples) * 2))
    assert "".join(turtle_chunks(shared, PREFIXES)) == text  # read twice
    assert list(shared) == sorted(triples) and len(shared) == len(triples)
    graphs = {"urn:g": shared}
    assert "".join(trig_chunks(graphs, PREFIXES)) == trig({"urn:g": triples}, PREFIXES)


def test_many_subjects_span_several_pieces(monkeypatch):
    import opsi_kg.turtle as writer

    monkeypatch.setattr(writer, "_CHUNK", 3)
    triples = _triples(400, 2)
    assert len(list(turtle_chunks(triples, PREFIXES))) > 3
    assert turtle(triples, PREFIXES) == reference_turtle(triples, PREFIXES)
    assert ntriples(triples) == reference_ntriples(triples)
    graphs = {"urn:a": triples, "urn:b": _triples(50, 3)}
    assert trig(graphs, PREFIXES) == reference_trig(graphs, PREFIXES)


def test_duplicates_are_written_once():
    triples = sorted(_triples(50, 4))
    assert turtle(triples * 2, PREFIXES) == turtle(set(triples), PREFIXES)


def test_the_output_is_the_same_graph():
    triples = {t for t in _triples(200, 5) if not t[0].startswith("_:") and not t[2].startswith("_:")}
    expected = Graph().parse(data=ntriples(triples), format="nt")
    assert len(expected) == len(triples)
    assert isomorphic(Graph().parse(data=turtle(triples, PREFIXES), format="turtle"), expected)
    assert graph_triples(Graph().parse(data=turtle(triples, PREFIXES), format="turtle")) == triples
    ds = Dataset().parse(data=trig({"http://example.org/g": triples}, PREFIXES), format="trig")
    assert graph_triples(ds.graph(URIRef("http://example.org/g"))) == triples


def test_only_the_prefixes_used_are_declared():
    t = (iri("http://example.org/s"), iri("http://example.org/ontology#p"), literal("1", datatype="http://www.w3.org/2001/XMLSchema#int"))
    text = turtle([t], PREFIXES)
    assert text.splitlines()[:3] == [
        "@prefix ex: <http://example.org/> .",
        "@prefix exo: <http://example.org/ontology#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    assert text.endswith('ex:s exo:p "1"^^xsd:int .\n')
    assert turtle([], PREFIXES) == "\n" and ntriples([]) == ""


def test_atomic_write_takes_pieces(tmp_path):
    target = tmp_path / "x.txt"
    atomic_write(target, iter(["é", b"\n", "b"]))
    assert target.read_bytes() == "é\nb".encode()

    def failing():
        yield "partial"
        raise RuntimeError("crash while writing")

    with pytest.raises(RuntimeError):
        atomic_write(target, failing())
    assert target.read_bytes() == "é\nb".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_dumps_written_together_or_alone_are_the_same(tmp_path, default_build):
    write_exports(default_build, tmp_path / "together", ["ttl", "nt", "jsonld", "trig"])
    for name in ("ttl", "nt", "jsonld", "trig"):
        (path,) = write_exports(default_build, tmp_path / name, [name])
        assert path.read_bytes() == (tmp_path / "together" / path.name).read_bytes(), name


def test_turtle_and_ntriples_from_one_pass():
    from opsi_kg.turtle import turtle_and_ntriples_chunks

    triples = _triples(300, 6)
    nt_pieces, turtle_pieces = turtle_and_ntriples_chunks(SortedTriples(triples), PREFIXES)
    with pytest.raises(RuntimeError):
        next(turtle_pieces())
    assert "".join(nt_pieces) == reference_ntriples(triples)
    assert "".join(turtle_pieces()) == reference_turtle(triples, PREFIXES)


def reference_jsonld(triples, prefixes):
    """The JSON-LD writer as it was first written (rdflib literals, json.dumps with indent)."""
    import json

    from opsi_kg.terms import from_nt

    terms = _Terms(prefixes)

    def ref(nt):
        short = terms.term(nt)
        return short[1:-1] if short.startswith("<") else short

    nodes = {}
    for s, p, o in triples:
        node = nodes.setdefault(s, {})
        if p == RDF_TYPE and o.startswith("<"):
            node.setdefault("@type", []).append(ref(o))
            continue
        if o.startswith("<"):
            value = {"@id": ref(o)}
        elif o.startswith("_:"):
            value = {"@id": o}
        else:
            lit = from_nt(o)
            if lit.language:
                value = {"@value": str(lit), "@language": lit.language}
            elif lit.datatype is not None:
                value = {"@value": str(lit), "@type": ref(f"<{lit.datatype}>")}
            else:
                value = str(lit)
        node.setdefault(ref(p), []).append(value)
    graph = []
    for s in sorted(nodes):
        entry = {"@id": s if s.startswith("_:") else ref(s)}
        for key in sorted(nodes[s], key=lambda k: (k != "@type", k)):
            entry[key] = sorted(nodes[s][key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        graph.append(entry)
    context = {p: prefixes[p] for p in sorted(terms.used)}
    return json.dumps({"@context": context, "@graph": graph}, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("seed", range(6))
def test_jsonld_is_the_same_bytes_as_json_dumps(seed):
    from opsi_kg.export import jsonld_text

    triples = _triples(80, seed)
    triples.add((iri("http://example.org/n"), iri("http://example.org/ontology#p"),
                 literal("01", datatype="http://www.w3.org/2001/XMLSchema#integer")))  # rdflib's lexical form
    assert jsonld_text(triples, PREFIXES) == reference_jsonld(triples, PREFIXES)
    assert jsonld_text(SortedTriples(triples), PREFIXES) == reference_jsonld(triples, PREFIXES)
    assert jsonld_text(set(), PREFIXES) == reference_jsonld(set(), PREFIXES)
    assert jsonld_text(set(), {}) == reference_jsonld(set(), {})
