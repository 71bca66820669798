"""Text that is safe to open in a spreadsheet: a cell that would run as a formula is made inert.

A note typed as ``=HYPERLINK(...)`` or ``+cmd|...`` would run when an export is opened in Excel;
written with a leading apostrophe, it reads as the text it is. Every CSV and XLSX export uses this.
"""

from __future__ import annotations

#: A cell a spreadsheet would run as a formula starts with one of these.
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    return "'" + text if text.startswith(FORMULA) else text
