"""Reading a legacy spreadsheet (CSV or XLSX) with limits: its header, its rows as the
spreadsheet numbers them, and the SHA-256 of its bytes (which says whether it was imported).

Everything read is text or a date: numbers are read as the text they show, so a case reference
"000123" keeps its zeros, and Excel's date cells arrive as dates.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from escalation_engine.errors import InvalidInput

MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 4_000

Cell = str | date | None


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    digest: str
    headers: list[str]
    #: (row number as the spreadsheet shows it, cells), blank rows left out.
    rows: list[tuple[int, list[Cell]]]


def read(path: Path, sheet: str | None = None) -> Sheet:
    """The file at ``path``: CSV (UTF-8) or XLSX (its first sheet, or ``sheet``)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_BYTES // 2**20} MiB; split it.")
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        headers, rows = _csv(raw, path.name)
    elif suffix in (".xlsx", ".xlsm"):
        headers, rows = _xlsx(raw, path.name, sheet)
    else:
        raise InvalidInput(
            f"{path.name}: import reads .csv and .xlsx files; save the spreadsheet as one of those."
        )
    if sheet is not None and suffix == ".csv":
        raise InvalidInput("--sheet is for an XLSX workbook; a CSV file has one sheet.")
    return Sheet(path.name, digest, headers, rows)


def _check(headers: list[str], name: str) -> list[str]:
    cleaned = [h.strip() for h in headers]
    if not any(cleaned):
        raise InvalidInput(f"{name} has no header row: its first row must name the columns.")
    if len(cleaned) > MAX_COLUMNS:
        raise InvalidInput(f"{name} has {len(cleaned)} columns; at most {MAX_COLUMNS} are read.")
    seen = {h for h in cleaned if h and cleaned.count(h) > 1}
    if seen:
        raise InvalidInput(f"{name} names a column twice: {', '.join(sorted(seen))}; rename one.")
    return cleaned


def _cell(value: object, name: str, row: int) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CELL:
        raise InvalidInput(
            f"{name} row {row}: a cell is {len(text):,} characters; at most {MAX_CELL:,}."
        )
    return text or None


def _rows(found: list[list[Cell]], name: str, first: int) -> list[tuple[int, list[Cell]]]:
    rows = [(number, cells) for number, cells in enumerate(found, start=first) if any(cells)]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"{name} has {len(rows):,} rows; import at most {MAX_ROWS:,} at a time.")
    return rows


def _csv(raw: bytes, name: str) -> tuple[list[str], list[tuple[int, list[Cell]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start});"
            " in Excel, save it as 'CSV UTF-8'."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = _check(next(reader, []), name)
        found: list[list[Cell]] = []
        for number, row in enumerate(reader, start=2):
            if len(found) > MAX_ROWS:
                break
            found.append([_cell(value, name, number) for value in row])
    except csv.Error as exc:
        raise InvalidInput(f"{name} is not a readable CSV file: {exc}.") from None
    return headers, _rows(found, name, 2)


def _xlsx(
    raw: bytes, name: str, sheet: str | None
) -> tuple[list[str], list[tuple[int, list[Cell]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(
            f"{name} is not a readable XLSX workbook ({type(exc).__name__})."
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InvalidInput(
                f"{name} has no sheet {sheet!r}; it has {', '.join(book.sheetnames)}."
            )
        chosen = book[sheet] if sheet is not None else book.worksheets[0]
        values = chosen.iter_rows(values_only=True)
        headers = _check([str(h) if h is not None else "" for h in next(values, ())], name)
        found: list[list[Cell]] = []
        for number, row in enumerate(values, start=2):
            if len(found) > MAX_ROWS:
                break
            found.append([_cell(value, name, number) for value in row[: len(headers)]])
    finally:
        book.close()
    return headers, _rows(found, name, 2)
