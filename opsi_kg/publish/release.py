"""A release: one self-contained folder a portal can harvest and a static host can serve.

::

    OUT/
      opsi-kg.ttl  opsi-kg.nt  opsi-kg.jsonld  opsi-kg.trig     the dumps (opsi_kg.export)
      validation-report.md  validation-report.ttl              the data's validation report
      catalog.ttl                                              DCAT-AP 3 catalogue + VoID
      SHA256SUMS                                               checksums of the files above
      site/                                                    the static site (opsi_kg.publish.site)

Two releases of the same input with the same date are byte-identical: the dumps are
deterministic, every catalogue node has an IRI, and the date comes from ``--date`` or
``SOURCE_DATE_EPOCH`` when given (:func:`~opsi_kg.publish.dcat.release_date`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from ..export import WRITERS, atomic_write, write_exports
from ..pipeline import BuildResult
from ..report import Result, Severity
from .dcat import (
    CATALOG_PREFIXES,
    DEFAULT_BASE_URL,
    DUMP_FORMATS,
    CatalogMetadata,
    FileInfo,
    catalog_graph,
    validate_catalog,
)
from .site import Download, Site, SiteOptions, check_site_folder, write_site

CATALOG_FILE = "catalog.ttl"
CHECKSUM_FILE = "SHA256SUMS"
SITE_FOLDER = "site"

Progress = Callable[[str], None]

# How the home page names the export files that are not dumps (opsi_kg.export.WRITERS keys).
OTHER_TITLES = {
    "report-md": "Validation report",
    "report-ttl": "Validation report (SHACL results)",
    "quality-md": "Data-quality report",
    "quality-html": "Data-quality report (HTML)",
}
MEDIA_TYPES = {
    ".md": "text/markdown",
    ".ttl": "text/turtle",
    ".html": "text/html",
    ".csv": "text/csv",
    ".json": "application/json",
    ".txt": "text/plain",
}


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class ReleaseOptions:
    """How to publish: where the folder will be served, the date, the steward's metadata."""

    base_url: str = DEFAULT_BASE_URL  # absolute URL the release folder is published at
    date: dt.date | None = None  # None: release_date() (SOURCE_DATE_EPOCH or today)
    metadata: CatalogMetadata = field(default_factory=CatalogMetadata)
    site: bool = True
    validate: bool = True

    def url(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"


@dataclass
class Release:
    """What :func:`write_release` wrote, with the catalogue and its DCAT-AP check."""

    out: Path
    date: dt.date
    files: dict[str, FileInfo]  # file name -> info, every top-level file but SHA256SUMS
    catalog: Graph
    catalog_results: list[Result]
    site: Site | None = None

    @property
    def catalog_conforms(self) -> bool:
        """True when the catalogue has no DCAT-AP violation (warnings allowed)."""
        return not any(r.severity is Severity.ERROR for r in self.catalog_results)


def file_info(path: Path, name: str | None = None) -> FileInfo:
    """Size and SHA-256 of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return FileInfo(name or path.name, size, digest.hexdigest())


def checksums_text(files: list[FileInfo]) -> str:
    """``sha256sum`` format, sorted by file name: ``<hex>  <name>``.

    >>> checksums_text([FileInfo("b.ttl", 1, "ff"), FileInfo("a.nt", 1, "00")])
    '00  a.nt\\nff  b.ttl\\n'
    """
    return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name))


def write_release(
    result: BuildResult,
    out: Path | str,
    options: ReleaseOptions | None = None,
    *,
    progress: Progress = _quiet,
) -> Release:
    """Write the release of ``result`` into ``out``: dumps, reports, catalogue, checksums, site."""
    from .dcat import release_date

    options = options or ReleaseOptions()
    out = Path(out)
    if options.site:
        check_site_folder(out / SITE_FOLDER)  # before writing anything
    out.mkdir(parents=True, exist_ok=True)
    date = release_date(options.date)
    progress(f"release: writing dumps and reports to {out}")
    write_exports(result, out)
    files = {WRITERS[key][0]: file_info(out / WRITERS[key][0]) for key in WRITERS}
    dumps = {key: files[WRITERS[key][0]] for key in DUMP_FORMATS}
    progress("release: describing the release in DCAT-AP (catalog.ttl)")
    catalog = catalog_graph(
        result,
        dumps,
        base_url=options.url(),
        issued=date,
        metadata=options.metadata,
        site_index=f"{SITE_FOLDER}/index.html" if options.site else None,
    )
    for prefix, ns in CATALOG_PREFIXES.items():
        catalog.bind(prefix, ns, override=True, replace=True)
    atomic_write(out / CATALOG_FILE, catalog.serialize(format="turtle"))
    files[CATALOG_FILE] = file_info(out / CATALOG_FILE)
    results: list[Result] = []
    if options.validate:
        progress(f"release: checking {CATALOG_FILE} against the DCAT-AP shapes")
        results = validate_catalog(catalog)
    atomic_write(out / CHECKSUM_FILE, checksums_text(list(files.values())))
    release = Release(out, date, dict(sorted(files.items())), catalog, results)
    if options.site:
        titles = {key: DUMP_FORMATS[key].title for key in DUMP_FORMATS}
        media = {key: DUMP_FORMATS[key].media_type for key in DUMP_FORMATS}
        downloads = [Download(dumps[key], titles[key], media[key]) for key in DUMP_FORMATS]
        downloads.append(Download(files[CATALOG_FILE], "DCAT-AP 3 catalogue with VoID statistics", "text/turtle"))
        for key, (name, _writer) in WRITERS.items():
            if key not in DUMP_FORMATS:
                title = OTHER_TITLES.get(key, name)
                downloads.append(Download(files[name], title, MEDIA_TYPES.get(Path(name).suffix, "")))
        site_options = SiteOptions(
            site_url=options.url() + SITE_FOLDER + "/",
            date=date,
            downloads=downloads,
            catalog=catalog,
        )
        release.site = write_site(result, out / SITE_FOLDER, site_options, progress=progress)
    return release
