"""Formats the server speaks, picked by name, file suffix or HTTP ``Accept`` header.

Three registries, one per kind of answer: :data:`TABLE_FORMATS` (SELECT and ASK results),
:data:`GRAPH_FORMATS` (CONSTRUCT and DESCRIBE results, resource descriptions) and the
HTML page both can be shown as. :func:`negotiate` picks the best one for an ``Accept`` header, the
server's order breaking ties (the first format of a registry is its default).

>>> negotiate(TABLE_FORMATS, "text/csv;q=0.5, application/sparql-results+xml").name
'xml'
>>> negotiate(GRAPH_FORMATS, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").name
'html'
>>> negotiate(GRAPH_FORMATS, None).name
'turtle'
>>> negotiate(TABLE_FORMATS, "image/png") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One answer format: a name (``?format=`` value), its media type and the ones it also answers."""

    name: str
    media_type: str
    also: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    suffix: str | None = None

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also)

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


HTML = Format("html", "text/html", ("application/xhtml+xml",), ("htm",), ".html")

TABLE_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json", "text/javascript", "application/javascript"),
           ("srj",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("srx",)),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
    HTML,
)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3",
                                     "application/n3"), ("ttl", "n3"), ".ttl"),
    Format("nt", "application/n-triples", ("text/plain",), ("ntriples", "n-triples"), ".nt"),
    Format("jsonld", "application/ld+json", ("application/x-json+ld", "application/json"), ("json-ld", "json"),
           ".jsonld"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf", "rdf+xml", "xml"), ".rdf"),
    HTML,
)


def by_name(formats: tuple[Format, ...], name: str) -> Format | None:
    """The format called ``name`` (its name, another name, or one of its media types)."""
    wanted = name.strip().lower()
    for fmt in formats:
        if wanted == fmt.name or wanted in fmt.names or wanted in fmt.media_types:
            return fmt
    return None


def by_suffix(formats: tuple[Format, ...], suffix: str) -> Format | None:
    for fmt in formats:
        if fmt.suffix == suffix:
            return fmt
    return None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs in the order given; q=0 ranges are kept (they exclude)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    out = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out or [("*/*", 1.0)]


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none matches)."""
    best, specificity = 0.0, -1
    kind = media_type.split("/", 1)[0]
    for media, q in ranges:
        if media == media_type:
            spec = 2
        elif media == f"{kind}/*":
            spec = 1
        elif media == "*/*":
            spec = 0
        else:
            continue
        if spec > specificity:
            best, specificity = q, spec
    return best


def negotiate(formats: tuple[Format, ...], accept: str | None) -> Format | None:
    """The format the client prefers most, or None when it accepts none of them.

    A format's own media type and its aliases count; the highest q wins, then the server's order.
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, Format] | None = None
    for order, fmt in enumerate(formats):
        q = max(_quality(m, ranges) for m in fmt.media_types)
        if q > 0 and (best is None or q > best[0]):
            best = (q, order, fmt)
    return best[2] if best else None


def choose(formats: tuple[Format, ...], accept: str | None, name: str | None) -> Format | None:
    """A format asked for by name (``?format=``) wins over the ``Accept`` header."""
    if name:
        return by_name(formats, name)
    return negotiate(formats, accept)


def known_names(formats: tuple[Format, ...]) -> str:
    return ", ".join(f.name for f in formats)
