"""The record files `opsi-kg import` writes: PyYAML reads back exactly what was written, whatever
the text (the importer has its own small YAML emitter, see opsi_kg/importer.py)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from opsi_kg.importer import dump_record

# Text YAML likes to read as something else, or cannot hold plain.
TRICKY = [
    "yes", "No", "off", "null", "~", "1.5", "0x1F", "012", "1:20", "2019-01-01", "1e3", ".inf", "=", "<<",
    "a: b", "a:b", "#x", "x #y", "- x", "? x", "[a]", "{a}", "a,b", "'q'", '"q"', "%x", "@x", "`x", "!x", "&x", "*x",
    "é", "Bogotá", "a\nb", "a\n  b", "a\n\nb", "a\n", "\tx", "x\t", "x\r\ny", " x", "x ", "a  b", "\u2028", "\x85",
    "\ud800x", "\U0001b2fc", "\x00", "\x1b[31m",
]  # fmt: skip
TEXT = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30))
DOCS = st.fixed_dictionaries(
    {
        "id": TEXT,
        "title": TEXT,
        "summary": TEXT,
        "countries": st.lists(TEXT, max_size=4),
        "year": st.integers(-3000, 3000),
        "actors": st.lists(st.fixed_dictionaries({"name": TEXT, "role": TEXT}, optional={"type": TEXT}), max_size=3),
        "themes": st.lists(st.one_of(TEXT, st.integers()), max_size=5),
        "awards": st.lists(
            st.fixed_dictionaries({"name": TEXT}, optional={"year": st.integers(1900, 2100)}), max_size=2
        ),
        "sdgs": st.lists(st.integers(1, 17), max_size=3),
        "sources": st.lists(TEXT, max_size=3),
    }
)


@settings(max_examples=800, deadline=None)
@given(DOCS)
def test_written_record_reads_back_as_the_same_data(doc):
    text = dump_record(doc, "cases.csv:12")
    assert yaml.safe_load(text) == doc, text


def test_written_record_looks_like_the_hand_written_ones():
    doc = {
        "id": "civic-lab",
        "title": "Civic lab: a test",
        "summary": "First line.\nSecond line.",
        "countries": ["South Korea", "Türkiye"],
        "year": 2019,
        "actors": [{"name": "Office for National Statistics (ONS)", "role": "lead"}],
        "themes": ["open-data", "yes"],
        "sources": ["https://example.org/a"],
    }
    assert dump_record(doc, "cases.csv:12") == (
        "# Imported by opsi-kg import from cases.csv:12. "
        "Edit freely: a later import will not overwrite it without --force.\n"
        "id: civic-lab\n"
        'title: "Civic lab: a test"\n'
        "summary: |-\n"
        "  First line.\n"
        "  Second line.\n"
        "countries: [South Korea, Türkiye]\n"
        "year: 2019\n"
        "actors:\n"
        "  - name: Office for National Statistics (ONS)\n"
        "    role: lead\n"
        'themes: [open-data, "yes"]\n'
        "sources:\n"
        "  - https://example.org/a\n"
    )
