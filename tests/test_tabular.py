"""Reading CSV and JSON tables (opsi_kg.tabular): sources name the physical line or item, header
names are forgiving, encodings and delimiters are detected, and a bad row is reported on its
column instead of raising."""

from __future__ import annotations

import json

import pytest

from opsi_kg.records import InputError, load_records
from opsi_kg.report import Severity
from opsi_kg.tabular import decode, detect_delimiter, read_json_text, read_text

HEADER = (
    "id,title,summary,countries,city,year,level_of_government,lead_actors,partner_actors,funder_actors,"
    "themes,awards,sdgs,sources"
)


def rows(text: str, name: str = "t.csv"):
    return list(read_text(text, name))


def test_source_is_the_physical_line_the_row_starts_on():
    text = (
        "title,summary\r\n"
        "First,one line\r\n"
        '"Second","a summary\r\nover three\r\nlines"\r\n'
        "\r\n"  # a blank line is no row
        ",  \r\n"  # nor is a row of empty cells
        "Third,x\r\n"
    )
    got = rows(text)
    assert [r.source for r in got] == ["t.csv:2", "t.csv:3", "t.csv:8"]
    assert got[1].data["summary"] == "a summary\r\nover three\r\nlines"
    assert got[2].data == {"title": "Third", "summary": "x"}


def test_header_names_are_compared_loosely_and_multi_values_split():
    # A byte-order mark left inside the text by some tools, padding, capitals, spaces and hyphens.
    (row,) = rows(
        "\ufeff Title ,Lead Actors,level-of-government,Countries\n" + 'T,"A (AA); B",national,"Korea;\nUK ;"\n'
    )
    assert row.data == {
        "title": "T",
        "lead_actors": ["A (AA)", "B"],
        "level_of_government": "national",
        "countries": ["Korea", "UK"],
    }


def test_awards_with_a_year_in_brackets_become_name_and_year():
    (row,) = rows('title,awards\nT,"Prize A (2019); Prize B; Prize C [2021]"\n')
    assert row.data["awards"] == [{"name": "Prize A", "year": 2019}, "Prize B", {"name": "Prize C", "year": 2021}]


@pytest.mark.parametrize(
    "header, expected",
    [("id,title,countries", ","), ("id;title;countries", ";"), ("id\ttitle\tcountries", "\t"), ("title", ",")],
)
def test_delimiter_is_detected_from_the_header(header, expected):
    assert detect_delimiter(header + "\n") == expected


def test_semicolon_file_with_quoted_multi_values():
    (row,) = rows('title;countries;themes\nCivic lab;"France; Spain";open-data\n')
    assert row.data == {"title": "Civic lab", "countries": ["France", "Spain"], "themes": ["open-data"]}


TEXT = "title;countries;lead_actors\nCiudad abierta;Türkiye;Oficina de Innovación Pública\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_every_encoding_gives_the_same_rows(tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode(encoding))
    (row,) = list(load_records(path))
    assert row.data == {
        "title": "Ciudad abierta",
        "countries": ["Türkiye"],
        "lead_actors": ["Oficina de Innovación Pública"],
    }
    notes = {n.message for n in row.notes}
    assert any("not UTF-8" in n for n in notes) == (encoding not in ("utf-8", "utf-8-sig"))


def test_cp1252_punctuation_is_read_as_cp1252():
    text, encoding = decode("Title\nLAB Justice – “Innovation”\n".encode("cp1252"))
    assert encoding == "cp1252" and "– “Innovation”" in text


def test_unknown_column_is_reported_once_on_the_header_line():
    got = rows("title,notes,countrys\nA,x,France\nB,y,Spain\n")
    assert all("notes" not in r.data and "countrys" not in r.data for r in got)
    notes = [n for r in got for n in r.notes]
    assert {(n.severity, n.source, n.field) for n in notes} == {
        (Severity.WARNING, "t.csv:1", "notes"),
        (Severity.WARNING, "t.csv:1", "countrys"),
    }
    assert any("did you mean countries?" in n.message for n in notes)


def test_missing_title_is_an_error_on_the_row():
    got = rows("title,countries\n,France\nT,\n")
    assert got[0].field_errors == [("title", "the title is required: the row has none")]
    assert got[1].field_errors == []


def test_extra_cells_are_an_error_naming_the_column():
    (row,) = rows("title,countries\nT,France,Spain\n")
    ((fld, message),) = row.field_errors
    assert fld == "column 3" and "header names 2 columns" in message


def test_value_under_an_empty_header_is_an_error():
    (row,) = rows("title,,countries\nT,stray,France\n")
    assert row.field_errors == [("column 2", "a value in a column without a header: 'stray'")]


def test_unterminated_quote_is_an_error_not_a_lost_file():
    (row,) = rows('title,summary\nT,"never closed\nU,x\nV,y\n')
    ((fld, message),) = row.field_errors
    assert fld == "summary" and "never closed" in message and "lines 2-4" in message


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("name,country\nX,France\n", "no 'title' column"),
        ("title,countries,Title\nA,B,C\n", "column 'title' appears twice"),
    ],
)
def test_a_file_that_is_not_a_table_is_an_input_error(text, message):
    with pytest.raises(InputError, match=message):
        rows(text)


def test_header_only_gives_no_rows():
    assert rows(HEADER + "\n") == []


# ---------------------------------------------------------------- JSON


def test_json_items_are_rows_named_by_pointer():
    doc = [
        {"Title": "A", "countries": ["Korea", "UK"], "year": 2019, "notes": "x"},
        {"title": "B", "countries": "France; Spain", "awards": ["Prize (2020)"], "summary": None},
        "not an object",
    ]
    got = list(read_json_text(json.dumps(doc), "t.json"))
    assert [r.source for r in got] == ["t.json#/0", "t.json#/1", "t.json#/2"]
    assert got[0].data == {"title": "A", "countries": ["Korea", "UK"], "year": 2019}
    assert [n.field for n in got[0].notes] == ["notes"]
    assert got[1].data == {"title": "B", "countries": ["France", "Spain"], "awards": [{"name": "Prize", "year": 2020}]}
    assert got[2].data is None and "found a string" in got[2].error


def test_json_object_with_cases_member():
    got = list(read_json_text('{"cases": [{"title": "A"}]}', "t.json"))
    assert [r.source for r in got] == ["t.json#/cases/0"]


def test_json_item_without_title_is_an_error():
    (row,) = list(read_json_text('[{"countries": ["France"]}]', "t.json"))
    assert row.field_errors == [("title", "the title is required: the item has none")]


@pytest.mark.parametrize(
    "text, message",
    [("[{", "not JSON \\(line 1"), ('{"title": "A"}', "expected a JSON list"), ("42", "found a number")],
)
def test_json_that_is_not_a_list_of_cases_is_an_input_error(text, message):
    with pytest.raises(InputError, match=message):
        list(read_json_text(text, "t.json"))
