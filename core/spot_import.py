"""Spots listed in bulk from a table (CSV or XLSX) an operator or owner sends: each row is read
into a listing or refused with the reason, and the good rows do not wait for the bad ones.

The table has a header row; columns are found by name, in any order and case:
``title``, ``latitude``, ``longitude``, ``address``, ``price_per_hour``, ``price_per_day``,
``currency``, ``hours``, ``covered``, ``ev_charger``, ``size``, ``instructions``. Title,
latitude, longitude, price per hour and hours are required; the rest may be left out."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.availability_text import ParsedAvailability, parse_availability
from core.errors import DomainError, InvalidLocation, WindowInPast
from core.geo import GeoPoint
from core.money import Money
from core.price_text import parse_price
from core.timezones import timezone_of

# A table of more rows is refused whole: a portfolio is imported in parts of this size.
MAX_ROWS = 200
# What is read of a file at most; a table of MAX_ROWS rows is far smaller.
MAX_BYTES = 1_000_000
# What an XLSX may unpack to: a workbook is a zip, and a small one can hold a huge sheet.
MAX_UNPACKED = 20_000_000
MAX_TITLE = 80
MAX_ADDRESS = 255
MAX_INSTRUCTIONS = 500

COLUMNS = {
    "title": ("title", "name"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
    "address": ("address",),
    "price_per_hour": ("price_per_hour", "hourly", "price"),
    "price_per_day": ("price_per_day", "daily"),
    "currency": ("currency",),
    "hours": ("hours", "availability"),
    "covered": ("covered",),
    "ev_charger": ("ev_charger", "ev"),
    "size": ("size", "max_vehicle_size"),
    "instructions": ("instructions", "access_instructions"),
}
REQUIRED = ("title", "latitude", "longitude", "price_per_hour", "hours")
YES = frozenset({"yes", "y", "true", "1", "да", "是"})
NO = frozenset({"", "no", "n", "false", "0", "нет", "否"})
SIZES = ("motorbike", "small", "medium", "large", "van")


class TableRefused(StrEnum):
    """Why a whole file could not be read."""

    NOT_A_TABLE = "not_a_table"  # neither CSV nor XLSX, or unreadable
    TOO_BIG = "too_big"
    TOO_MANY_ROWS = "too_many_rows"
    MISSING_COLUMNS = "missing_columns"
    EMPTY = "empty"


class UnreadableTable(ValueError):
    def __init__(self, reason: TableRefused, detail: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.detail = detail


class RowRefused(StrEnum):
    """Why one row was not listed."""

    TITLE = "title"  # missing or longer than MAX_TITLE
    PLACE = "place"  # latitude and longitude not numbers on the globe
    AT_SEA = "at_sea"
    PRICE = "price"
    DAILY_PRICE = "daily_price"
    CURRENCY = "currency"  # the daily price's differs from the hourly one's
    HOURS = "hours"  # not understood, or understood as two different things
    HOURS_PAST = "hours_past"
    YES_NO = "yes_no"
    SIZE = "size"


@dataclass(frozen=True, slots=True)
class SpotRow:
    """A row read into what a listing needs."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    title: str
    point: GeoPoint
    address: str
    hourly: Money
    daily: Money | None
    availability: ParsedAvailability
    covered: bool
    ev_charger: bool
    size: str
    instructions: str


@dataclass(frozen=True, slots=True)
class Refusal:
    row: int
    reason: RowRefused
    value: str  # what the row said, to quote back


@dataclass(frozen=True, slots=True)
class ReadTable:
    rows: list[SpotRow]
    refused: list[Refusal]


def read_table(content: bytes, file_name: str) -> list[dict[str, str]]:
    """The table's rows as column name → text, from a CSV or an XLSX file."""
    if len(content) > MAX_BYTES:
        raise UnreadableTable(TableRefused.TOO_BIG)
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        grid = _xlsx_grid(content)
    else:
        grid = _csv_grid(content)
    grid = [row for row in grid if any(cell.strip() for cell in row)]
    if not grid:
        raise UnreadableTable(TableRefused.EMPTY)
    header = [_column_of(cell) for cell in grid[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise UnreadableTable(TableRefused.MISSING_COLUMNS, ", ".join(missing))
    if len(grid) - 1 > MAX_ROWS:
        raise UnreadableTable(TableRefused.TOO_MANY_ROWS)
    if len(grid) == 1:
        raise UnreadableTable(TableRefused.EMPTY)
    return [
        {name: (row[index] if index < len(row) else "").strip()
         for index, name in enumerate(header) if name}
        for row in grid[1:]
    ]  # fmt: skip


def _column_of(cell: str) -> str:
    wanted = cell.strip().lower().replace(" ", "_").replace("-", "_")
    for name, aliases in COLUMNS.items():
        if wanted in aliases:
            return name
    return ""


def _csv_grid(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableTable(TableRefused.NOT_A_TABLE)
    if "\x00" in text:
        raise UnreadableTable(TableRefused.NOT_A_TABLE)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European or Russian locale save with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise UnreadableTable(TableRefused.NOT_A_TABLE) from error


def _xlsx_grid(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only an XLSX needs it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED:
                raise UnreadableTable(TableRefused.TOO_BIG)
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            grid: list[list[str]] = []
            # A read-only workbook parses its sheet while the rows are read: a broken file
            # fails here as often as on opening.
            for values in book.worksheets[0].iter_rows(values_only=True):
                row = [_cell_text(value) for value in values]
                if not any(cell.strip() for cell in row):
                    continue  # sheets formatted far below their last row
                grid.append(row)
                if len(grid) > MAX_ROWS + 1:
                    raise UnreadableTable(TableRefused.TOO_MANY_ROWS)
            return grid
        finally:
            book.close()
    except UnreadableTable:
        raise
    except Exception as error:
        raise UnreadableTable(TableRefused.NOT_A_TABLE) from error


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(rows: list[dict[str, str]], *, default_currency: str, now: datetime) -> ReadTable:
    good: list[SpotRow] = []
    refused: list[Refusal] = []
    for index, row in enumerate(rows, start=2):
        try:
            good.append(_read_row(index, row, default_currency=default_currency, now=now))
        except _Refused as refusal:
            refused.append(Refusal(index, refusal.reason, refusal.value))
    return ReadTable(good, refused)


class _Refused(Exception):
    def __init__(self, reason: RowRefused, value: str) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.value = value


def _read_row(index: int, row: dict[str, str], *, default_currency: str, now: datetime) -> SpotRow:
    title = " ".join(row.get("title", "").split())
    if not 1 <= len(title) <= MAX_TITLE:
        raise _Refused(RowRefused.TITLE, title)
    point = _point(row.get("latitude", ""), row.get("longitude", ""))
    currency = (row.get("currency") or default_currency).strip().upper()
    hourly = _price(row.get("price_per_hour", ""), currency, RowRefused.PRICE)
    daily = None
    if row.get("price_per_day"):
        daily = _price(row["price_per_day"], currency, RowRefused.DAILY_PRICE)
        if daily.currency != hourly.currency:
            raise _Refused(RowRefused.CURRENCY, row["price_per_day"])
    zone = timezone_of(point)
    hours = row.get("hours", "")
    try:
        availability = parse_availability(hours, zone=ZoneInfo(zone), now=now)
    except WindowInPast as error:
        raise _Refused(RowRefused.HOURS_PAST, hours) from error
    except DomainError as error:
        raise _Refused(RowRefused.HOURS, hours) from error
    if availability.blocked:
        raise _Refused(RowRefused.HOURS, hours)
    size = (row.get("size") or "medium").strip().lower()
    if size not in SIZES:
        raise _Refused(RowRefused.SIZE, size)
    return SpotRow(
        row=index, title=title, point=point, address=row.get("address", "")[:MAX_ADDRESS],
        hourly=hourly, daily=daily, availability=availability,
        covered=_yes_no(row.get("covered", "")), ev_charger=_yes_no(row.get("ev_charger", "")),
        size=size, instructions=row.get("instructions", "")[:MAX_INSTRUCTIONS],
    )  # fmt: skip


def _point(latitude: str, longitude: str) -> GeoPoint:
    quoted = f"{latitude}, {longitude}"
    try:
        point = GeoPoint(float(latitude.replace(",", ".")), float(longitude.replace(",", ".")))
    except (ValueError, InvalidLocation) as error:
        raise _Refused(RowRefused.PLACE, quoted) from error
    try:
        timezone_of(point)
    except InvalidLocation as error:
        raise _Refused(RowRefused.AT_SEA, quoted) from error
    return point


def _price(text: str, currency: str, reason: RowRefused) -> Money:
    try:
        price = parse_price(text, default_currency=currency)
    except DomainError as error:
        raise _Refused(reason, text) from error
    if price.minor <= 0:
        raise _Refused(reason, text)
    return price


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise _Refused(RowRefused.YES_NO, text)
