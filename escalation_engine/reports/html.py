"""The report as one self-contained HTML file: its tables, and its charts as PNG images inside
the file, so that it can be emailed, opened anywhere and pasted into a committee paper."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from escalation_engine.reports.charts import charts
from escalation_engine.reports.glance import points
from escalation_engine.reports.text import heading, produced, rows

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 2em auto;
       max-width: 60em; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.8em; } h2 { font-size: 1.3em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.35em 0.75em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #0b0c0c; }
p.note { color: #505a5f; font-size: 0.9em; margin-top: 0; }
figure { margin: 1.5em 0; } figcaption { font-weight: bold; margin-bottom: 0.5em; }
img { max-width: 100%; height: auto; }
section.glance li { margin-bottom: 0.4em; }
@media print { section.glance { break-after: page; } h2 { break-after: avoid; } }
"""


def _table(table: dict[str, Any]) -> str:
    printed = list(rows(table))
    head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in printed[0])
    body = []
    for row in printed[1:]:
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
        body.append(f'<tr><th scope="row">{escape(row[0])}</th>{cells}</tr>')
    if not body:
        body.append(f'<tr><td colspan="{len(printed[0])}">None in the period.</td></tr>')
    return (
        f'<h2 id="{escape(table["key"])}">{escape(table["title"])}</h2>\n'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"
        f'<p class="note">{escape(table["note"])}</p>'
    )


def page(report: dict[str, Any]) -> str:
    """The whole report as one HTML document with its charts embedded."""
    figures = []
    for chart in charts(report):
        data = base64.b64encode(chart.png).decode("ascii")
        figures.append(
            f'<figure id="chart-{chart.key}"><figcaption>{escape(chart.title)}</figcaption>'
            f'<img src="data:image/png;base64,{data}" alt="{escape(chart.alt)}" width="1200">'
            "</figure>"
        )
    tables = "\n".join(_table(table) for table in report["tables"])
    said = "".join(f"<li>{escape(point.text)}</li>" for point in points(report))
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{escape(report['title'])}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>{escape(report['title'])}</h1>\n<p>{escape(heading(report))}.</p>\n"
        f'<p class="note">{escape(produced(report))};'
        " 'escalate report --explain FIGURE' names the escalations"
        " behind any figure.</p>\n"
        f'<section class="glance" aria-labelledby="glance"><h2 id="glance">The period at a'
        f" glance</h2><ul>{said}</ul></section>\n"
        f'<section aria-label="Charts">{"".join(figures)}</section>\n{tables}\n</body>\n</html>\n'
    )
