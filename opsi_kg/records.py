"""Stage 1, load: read case records from YAML files, a CSV or a JSON file.

A reader turns one input into :class:`RawRecord` objects; it never raises on bad content: a
record that cannot be read carries the reason in ``error`` and is quarantined downstream.
Readers are picked by file suffix from :data:`READERS`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same YAML, several times faster
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(Exception):
    """The input as a whole cannot be read (missing path, unsupported format)."""


@dataclass
class RawRecord:
    """One record as read, before normalisation."""

    source: str  # "cases/x.yaml", or "cases.csv:12" for a row
    data: dict[str, Any] | None
    error: str | None = None  # why the record could not be read at all
    stem: str = ""  # file stem, the last-resort id
    field_errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message) found while reading


def _yaml_file(path: Path, shown: str) -> Iterator[RawRecord]:
    stem = path.stem
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield RawRecord(shown, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", stem)
        return
    except OSError as exc:
        yield RawRecord(shown, None, f"cannot read the file: {exc.strerror}", stem)
        return
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        yield RawRecord(shown, None, f"malformed YAML{where}: {problem}", stem)
        return
    if data is None:
        yield RawRecord(shown, None, "the file is empty", stem)
    elif not isinstance(data, dict):
        yield RawRecord(shown, None, f"expected a mapping of fields, found a {type(data).__name__}", stem)
    else:
        yield RawRecord(shown, {str(k): v for k, v in data.items()}, None, stem)


def _table_file(path: Path, shown: str) -> Iterator[RawRecord]:
    from .tabular import read_table  # CSV and JSON import lives in its own module

    yield from read_table(path, shown)


READERS: dict[str, Callable[[Path, str], Iterator[RawRecord]]] = {
    ".yaml": _yaml_file,
    ".yml": _yaml_file,
    ".csv": _table_file,
    ".json": _table_file,
}


def load_records(path: Path | str) -> Iterator[RawRecord]:
    """Read every record under ``path``: a folder of YAML files, or one YAML, CSV or JSON file.

    Sources are shown relative to the folder's parent (``cases/x.yaml``), so reports do not
    depend on where the checkout is.
    """
    path = Path(path)
    if path.is_dir():
        for file, shown, _stat in record_files(path):
            yield from _yaml_file(Path(file), shown)
        return
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise InputError(f"{path}: unsupported input format {path.suffix!r} (use a folder or {known})")
    yield from reader(path, path.name)


def record_files(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """The YAML files under ``folder`` in the order they are read: (path, the name reports show
    for it, relative to the folder's parent, and its stat). Symbolic links to files count; links
    to folders are not followed."""
    found = []
    parent = Path(folder).parent
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        shown_root = os.path.relpath(root, parent).replace(os.sep, "/")
        for name in files:
            if os.path.splitext(name)[1].lower() in (".yaml", ".yml"):
                file = os.path.join(root, name)
                try:
                    st = os.stat(file)
                except OSError:
                    continue  # a dangling link
                if stat.S_ISREG(st.st_mode):
                    found.append((file, name if shown_root == "." else f"{shown_root}/{name}", st))
    found.sort(key=lambda item: item[1].split("/"))
    return found

