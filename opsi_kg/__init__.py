"""opsi-kg: a linked-data knowledge graph of public-sector innovation cases.

The promised API is small: :func:`build` runs the pipeline, :func:`open_store` opens an embedded
SPARQL store, :func:`catalogue` lists the saved queries and :func:`run_saved` runs one,
:func:`write_exports` writes the dumps. Everything else is importable but may change.
"""

__version__ = "0.1.0"

from .export import write_exports  # noqa: E402
from .pipeline import BuildResult, build  # noqa: E402
from .queries import catalogue, run_saved  # noqa: E402
from .report import Report, Result, Severity  # noqa: E402
from .store import open_store  # noqa: E402

__all__ = [
    "BuildResult",
    "Report",
    "Result",
    "Severity",
    "build",
    "catalogue",
    "open_store",
    "run_saved",
    "write_exports",
]
