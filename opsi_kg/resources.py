"""Where the shipped files live: ontology/, shapes/, queries/ and the default data/.

They sit at the top of the repository (the design card fixes the layout); an installed wheel
without them can point at a checkout with the ``OPSI_KG_HOME`` environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The folder holding ontology/, shapes/, queries/ and data/."""
    env = os.environ.get("OPSI_KG_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    return home() / "ontology"


def shapes_dir() -> Path:
    return home() / "shapes"


def queries_dir() -> Path:
    return home() / "queries"


def default_data() -> Path:
    return home() / "data" / "cases"
