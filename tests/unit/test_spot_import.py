"""Reading a table of spots: CSV as spreadsheets save it (commas or semicolons, UTF-8 or
Windows Cyrillic), XLSX, and every reason a row or a whole file is refused."""

import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.money import Money
from core.services.bulk_spots import percent_change
from core.spot_import import (
    MAX_ROWS,
    RowRefused,
    TableRefused,
    UnreadableTable,
    read_rows,
    read_table,
)

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
HEADER = "title,latitude,longitude,price_per_hour,hours"
GOOD = "Garage,52.52,13.405,3.00,Mon-Fri 08:00-18:00"


def rows_of(text: str, name: str = "spots.csv", encoding: str = "utf-8"):
    return read_rows(read_table(text.encode(encoding), name), default_currency="EUR", now=NOW)


def test_a_good_row_becomes_a_listing():
    (row,) = rows_of(f"{HEADER},covered,size,price_per_day\n{GOOD},yes,large,20").rows
    assert (row.row, row.title, row.hourly, row.daily) == (2, "Garage", Money(300, "EUR"),
                                                           Money(2000, "EUR"))  # fmt: skip
    assert (row.covered, row.ev_charger, row.size) == (True, False, "large")
    assert len(row.availability.weekly) == 5


def test_semicolons_and_windows_cyrillic_are_read():
    text = (
        "Название;title;latitude;longitude;price_per_hour;hours\nx;Гараж;52,52;13,405;3;daily 7-22"
    )
    table = rows_of(text, encoding="cp1251")
    assert [row.title for row in table.rows] == ["Гараж"]
    assert table.rows[0].point.lat == 52.52


def test_an_xlsx_sheet_is_read_with_numbers_as_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Latitude", "Longitude", "Price per hour", "Hours"])
    sheet.append(["Garage", 52.52, 13.405, 3, "Mon-Fri 08:00-18:00"])
    out = io.BytesIO()
    book.save(out)
    table = read_rows(read_table(out.getvalue(), "spots.xlsx"), default_currency="EUR", now=NOW)
    assert [(row.title, row.hourly) for row in table.rows] == [("Garage", Money(300, "EUR"))]


@pytest.mark.parametrize(
    ("row", "reason", "quoted"),
    [
        (",52.52,13.405,3.00,daily 7-22", RowRefused.TITLE, ""),
        ("G,north,13.405,3.00,daily 7-22", RowRefused.PLACE, "north, 13.405"),
        ("G,95,13.405,3.00,daily 7-22", RowRefused.PLACE, "95, 13.405"),
        ("G,54.5,5.0,3.00,daily 7-22", RowRefused.AT_SEA, "54.5, 5.0"),
        ("G,52.52,13.405,free,daily 7-22", RowRefused.PRICE, "free"),
        ("G,52.52,13.405,0,daily 7-22", RowRefused.PRICE, "0"),
        ("G,52.52,13.405,3.00,whenever", RowRefused.HOURS, "whenever"),
        ("G,52.52,13.405,3.00,18-8", RowRefused.HOURS, "18-8"),
        ("G,52.52,13.405,3.00,block today", RowRefused.HOURS, "block today"),
    ],
)
def test_each_refused_row_says_why(row, reason, quoted):
    table = rows_of(f"{HEADER}\n{GOOD}\n{row}")
    assert [row.title for row in table.rows] == ["Garage"]
    (refusal,) = table.refused
    assert (refusal.row, refusal.reason, refusal.value) == (3, reason, quoted)


@pytest.mark.parametrize(
    ("extra", "value", "reason"),
    [("covered", "perhaps", RowRefused.YES_NO), ("size", "bus", RowRefused.SIZE),
     ("price_per_day", "lots", RowRefused.DAILY_PRICE),
     ("price_per_day", "20 USD", RowRefused.CURRENCY)],
)  # fmt: skip
def test_optional_columns_are_checked_too(extra, value, reason):
    (refusal,) = rows_of(f"{HEADER},{extra}\n{GOOD},{value}").refused
    assert refusal.reason == reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"title,latitude\nGarage,52.5", TableRefused.MISSING_COLUMNS),
        (f"{HEADER}\n".encode(), TableRefused.EMPTY),
        (b"", TableRefused.EMPTY),
        (b"PK\x03\x04 not really a workbook", TableRefused.NOT_A_TABLE),
        (b"\xff\xfe\x00\x00binary\x00junk", TableRefused.NOT_A_TABLE),
        ((HEADER + "\n" + (GOOD + "\n") * (MAX_ROWS + 1)).encode(), TableRefused.TOO_MANY_ROWS),
        (b"x" * 1_000_001, TableRefused.TOO_BIG),
    ],
)
def test_a_file_that_is_not_a_table_of_spots_is_refused_whole(content, reason):
    with pytest.raises(UnreadableTable) as refused:
        read_table(content, "spots.csv")
    assert refused.value.reason == reason


def _xlsx(rows, *, blank_below: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if blank_below:
        # A sheet formatted far below its last row: openpyxl reads those rows as empty.
        sheet.cell(row=len(rows) + blank_below, column=1).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_blank_rows_of_a_sheet_do_not_count_against_the_limit():
    header = ["title", "latitude", "longitude", "price_per_hour", "hours"]
    content = _xlsx([header, ["Garage", 52.52, 13.405, 3, "daily 7-22"]], blank_below=MAX_ROWS * 3)
    assert len(read_table(content, "spots.xlsx")) == 1


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(UnreadableTable) as refused:
        read_table(out.getvalue(), "bomb.xlsx")
    assert refused.value.reason == TableRefused.TOO_BIG


def test_a_workbook_with_a_broken_sheet_is_not_a_table():
    good = _xlsx([["title", "latitude", "longitude", "price_per_hour", "hours"]])
    source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut off mid-element
            broken.writestr(item, data)
    with pytest.raises(UnreadableTable) as refused:
        read_table(out.getvalue(), "spots.xlsx")
    assert refused.value.reason == TableRefused.NOT_A_TABLE


@pytest.mark.parametrize(
    ("typed", "percent"),
    [("10%", 10), ("+10%", 10), ("-5 %", -5), ("−7%", -7), ("150%", 150), ("2,5%", 2.5),
     ("x20%", None), ("10", None), ("%", None), ("+-3%", None)],
)  # fmt: skip
def test_a_change_in_per_cent_reads_as_typed(typed, percent):
    found = percent_change(typed)
    assert found == (None if percent is None else Decimal(str(percent)))
