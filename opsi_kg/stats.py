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
    g = result.asserted
    return {
        "records read": result.report.read,
        "records built": result.report.built,
        "records quarantined": len(result.report.quarantined),
        "cases": len(set(g.subjects(RDF.type, OPSI.Case))),
        "actors": len(set(g.subjects(RDF.type, OPSI.Actor))),
        "awards": len(set(g.subjects(RDF.type, OPSI.Award))),
        "countries": len(set(g.objects(None, OPSI.country))),
        "themes": len(set(g.objects(None, OPSI.theme))),
        "asserted triples": len(result.asserted),
        "inferred triples": len(result.inferred),
        "vocabulary triples": len(result.vocabularies),
    }
