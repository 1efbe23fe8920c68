"""``python -m opsi_kg`` is the ``opsi-kg`` command."""

from .cli import run

run()
