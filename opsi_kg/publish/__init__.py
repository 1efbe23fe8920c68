"""Publishing: the release folder, its DCAT-AP 3 catalogue with VoID, the static site.

The promised API:

* :func:`write_release` — dumps, reports, ``catalog.ttl``, ``SHA256SUMS`` and ``site/`` for a build;
* :func:`catalog_graph` and :func:`validate_catalog` — the DCAT-AP description and its check
  against the official shapes;
* :func:`write_site` — the static site alone;
* :func:`render_resource_page` — one resource's HTML page from a graph or a store, for the static
  site and for a live server alike.
"""

from .dcat import CatalogMetadata, FileInfo, catalog_graph, release_date, validate_catalog
from .pages import render_resource_page
from .release import Release, ReleaseOptions, write_release
from .site import Site, SiteOptions, page_path, write_site

__all__ = [
    "CatalogMetadata",
    "FileInfo",
    "Release",
    "ReleaseOptions",
    "Site",
    "SiteOptions",
    "catalog_graph",
    "page_path",
    "release_date",
    "render_resource_page",
    "validate_catalog",
    "write_release",
    "write_site",
]
