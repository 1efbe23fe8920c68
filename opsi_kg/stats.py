"""Headline statistics of a build.

>>> from opsi_kg import build
>>> statistics(build())["cases"] > 0
True
"""

from __future__ import annotations

from rdflib.namespace import RDF

from .namespaces import OPSI
from .pipeline import BuildResult


def statistics(result: BuildResult) -> dict[str, int]:
    """Counts over the build's string triples (no rdflib graph is built, so it is cheap at any size)."""
    rdf_type = f"<{RDF.type}>"
    kinds = {f"<{OPSI.Case}>": "cases", f"<{OPSI.Actor}>": "actors", f"<{OPSI.Award}>": "awards"}
    objects_of = {f"<{OPSI.country}>": "countries", f"<{OPSI.theme}>": "themes"}
    found: dict[str, set[str]] = {name: set() for name in (*kinds.values(), *objects_of.values())}
    for s, p, o in result.asserted_triples:
        if p == rdf_type and o in kinds:
            found[kinds[o]].add(s)
        elif p in objects_of:
            found[objects_of[p]].add(o)
    return {
        "records read": result.report.read,
        "records built": result.report.built,
        "records quarantined": len(result.report.quarantined),
        **{name: len(found[name]) for name in ("cases", "actors", "awards", "countries", "themes")},
        "asserted triples": len(result.asserted_triples),
        "inferred triples": len(result.inferred_triples),
        "vocabulary triples": len(result.vocabulary_triples),
    }
