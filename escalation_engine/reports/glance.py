"""The report's first page: the year in a few sentences a committee reads before the tables.

Every sentence is made from figures the tables print, and names the figure it rests on, so
"explain" traces it as it traces a cell. Works on the report's JSON, as the other renderers do,
so a client says what the server worked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Point:
    """One sentence of the summary, and the figure behind its first number."""

    text: str
    figure: str


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


class _Figures:
    """The report's figures by key (``table.row.column``), and its row labels."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.values: dict[str, Any] = {}
        self.rows: dict[str, list[tuple[str, str]]] = {}
        for table in report["tables"]:
            for row in table["rows"]:
                self.rows.setdefault(table["key"], []).append((row["key"], row["label"]))
                for cell in row["cells"]:
                    if isinstance(cell, dict) and "figure" in cell:
                        self.values[cell["figure"]] = cell["value"]

    def count(self, key: str) -> int:
        value = self.values.get(key)
        return int(value) if isinstance(value, int | float) else 0

    def has(self, key: str) -> bool:
        return key in self.values


def _change(now: int, before: int, label: str) -> str:
    if now == before:
        return f"the same as in {label}"
    if not before:
        return f"against none in {label}"
    return (
        f"{abs(now - before):,} {'more' if now > before else 'fewer'} than in {label} ({before:,})"
    )


def points(report: dict[str, Any]) -> list[Point]:
    """The summary's sentences, in the order a committee asks: how many, about whom, how far
    they went, how quickly they were resolved, what is left."""
    f = _Figures(report)
    before = report["previous"]["label"]
    found: list[Point] = []
    raised = f.count("summary.raised.this")
    found.append(Point(
        f"{_plural(raised, 'escalation was', 'escalations were')} raised,"
        f" {_change(raised, f.count('summary.raised.previous'), before)}.",
        "summary.raised.this",
    ))  # fmt: skip
    if f.has("children.children.this") and raised:
        children = f.count("children.children.this")
        found.append(Point(
            f"They concerned {_plural(children, 'child', 'children')};"
            f" {_plural(f.count('children.siblings.this'), 'escalation was', 'escalations were')}"
            f" about brothers and sisters together, and"
            f" {_plural(f.count('children.repeated.this'), 'child was', 'children were')} the"
            " subject of more than one.",
            "children.children.this",
        ))  # fmt: skip
    categories = [
        (f.count(f"by_category.{key}.this"), label)
        for key, label in f.rows.get("by_category", [])
        if f.has(f"by_category.{key}.this")
    ]
    top = max(categories, default=(0, ""))
    if top[0]:
        key = next(k for k, label in f.rows["by_category"] if label == top[1])
        found.append(Point(
            f"The concern raised most often: {top[1]} ({top[0]:,}).",
            f"by_category.{key}.this",
        ))  # fmt: skip
    if raised:
        found.append(Point(
            f"{f.count('formality.entered_formal.this'):,} entered straight at a formal stage;"
            f" {f.count('formality.formal.this'):,} had reached a formal stage by the period's"
            f" end and {f.count('formality.informal.this'):,} stayed informal.",
            "formality.formal.this",
        ))  # fmt: skip
    resolved = f.count("resolution_time.all.resolved")
    if resolved:
        median, p90 = (
            f.values.get("resolution_time.all.median"),
            f.values.get("resolution_time.all.p90"),
        )
        found.append(Point(
            f"Of those raised, {resolved:,} {'was' if resolved == 1 else 'were'} resolved by the"
            f" period's end: half within"
            f" {_days(median)} and nine in ten within {_days(p90)}.",
            "resolution_time.all.resolved",
        ))  # fmt: skip
    steps = [
        (f.count(f"summary.{key}.this"), one, many, key)
        for key, one, many in (
            ("bypasses", "tier was bypassed", "tiers were bypassed"),
            ("early", "escalation was moved up early", "escalations were moved up early"),
            ("rejections", "response was not accepted", "responses were not accepted"),
            ("extensions", "deadline was extended", "deadlines were extended"),
        )
    ]
    taken = [(n, one, many, key) for n, one, many, key in steps if n]
    if taken:
        said = [_plural(n, one, many) for n, one, many, _ in taken]
        joined = ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + said[-1]
        found.append(Point(f"In the period, {joined}.", f"summary.{taken[0][3]}.this"))
    cafcass = f.count("summary.cafcass.this")
    found.append(Point(
        f"{_plural(cafcass, 'referral was', 'referrals were')} made to Cafcass; the overall time"
        f" limit passed {_plural(f.count('summary.overall_breaches.this'), 'time', 'times')}.",
        "summary.cafcass.this",
    ))  # fmt: skip
    found.append(Point(
        f"{_plural(f.count('summary.open_at_end.this'), 'escalation was', 'escalations were')}"
        " still open at the period's end.",
        "summary.open_at_end.this",
    ))  # fmt: skip
    return found


def _days(value: Any) -> str:
    if not isinstance(value, int | float):
        return "–"
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number} working {'day' if value == 1 else 'days'}"
