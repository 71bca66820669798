"""A subject-access export as one HTML file a care leaver can read: what an escalation is, then
each escalation about them as a story in time order, who was told, and who looked at it.

Written from the export's JSON alone (``app/disclosure``), so the file says exactly what the
JSON says; self-contained (no scripts, no links out), so it can be printed or sent as it is.
"""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 2em auto;
       max-width: 45em; padding: 0 1em; line-height: 1.5; font-size: 1.1em; }
h1 { font-size: 1.8em; } h2 { font-size: 1.4em; margin-top: 2em; } h3 { font-size: 1.15em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
ol.steps { padding-left: 1.2em; } ol.steps li { margin-bottom: 1em; }
p.note { white-space: pre-wrap; border-left: 4px solid #b1b4b6; padding-left: 0.75em; }
p.small { color: #505a5f; font-size: 0.9em; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 0.3em 0.75em 0.3em 0;
border-bottom: 1px solid #b1b4b6; }
@media print { section.escalation { break-before: page; } }
"""

#: What an escalation is, for someone who has never heard of one.
ABOUT = (
    "An Independent Reviewing Officer (IRO) chairs the reviews of a child in care. When an IRO"
    " is worried that the plan for a child is not being carried out, or is taking too long, they"
    " raise an escalation: they write down the worry and ask the managers responsible to put it"
    " right by a date. If it is not put right, it goes to more senior managers, and in the end it"
    " can go to Cafcass, who can take it to court. Each escalation below is one of these worries,"
    " with everything that happened to it."
)


def facts(one: dict[str, Any]) -> list[tuple[str, str]]:
    """An escalation's facts, each with its label."""
    return [
        ("What kind", one["workflow"]),
        ("About", one["category"]),
        ("Raised", f"{one['raised']} by {one['raised_by']}"),
        ("Team", one["team"]),
        ("Where it got to", one["stage"]),
        ("Closed", one["closed"] or "Not yet: it is still open"),
    ]


def others(one: dict[str, Any]) -> str:
    """What is said of the other children an escalation was about (nothing, if none)."""
    count = one["other_children"]
    if not count:
        return ""
    return (
        f"This escalation was also about {count} other child{'ren' if count > 1 else ''}."
        " Their details are not included."
    )


def counted(export: dict[str, Any]) -> str:
    count = len(export["escalations"])
    return f"{count} escalation{'s' if count != 1 else ''}"


def naming(export: dict[str, Any]) -> str:
    if export["names"] == "roles":
        return "People are named by their role, not their name."
    return "People are named as the records name them."


def _facts(one: dict[str, Any]) -> str:
    rows = facts(one)
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def _step(step: dict[str, Any]) -> str:
    said = f"<strong>{escape(step['when'])}</strong>: {escape(step['who'])}: {escape(step['what'])}"
    if step["stage"] and step["stage"] != "-":
        said += f" ({escape(step['stage'])})"
    note = f'<p class="note">{escape(step["note"])}</p>' if step["note"] else ""
    note += "".join(f"<p>{escape(detail)}</p>" for detail in step["details"])
    told = f"<p>Told: {escape(', '.join(step['told']))}</p>" if step["told"] else ""
    return f"<li>{said}{note}{told}</li>"


def _looks(looks: list[dict[str, Any]]) -> str:
    if not looks:
        return "<p>Nobody but the person who raised it has looked at it.</p>"
    rows = "".join(
        f"<tr><td>{escape(look['when'])}</td><td>{escape(look['who'])}</td>"
        f"<td>{escape(look['how'])}</td></tr>"
        for look in looks
    )
    return (
        '<table><thead><tr><th scope="col">When</th><th scope="col">Who</th>'
        f'<th scope="col">What they did</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _escalation(one: dict[str, Any]) -> str:
    ref = escape(one["reference"])
    withheld = f"<p>{escape(others(one))}</p>" if one["other_children"] else ""
    steps = "".join(_step(step) for step in one["timeline"])
    return (
        f'<section class="escalation" aria-labelledby="{ref}"><h2 id="{ref}">Escalation {ref}:'
        f" {escape(one['category'])}</h2>{_facts(one)}{withheld}"
        f'<h3>What happened</h3><ol class="steps">{steps}</ol>'
        f"<h3>Who looked at it</h3>{_looks(one['looks'])}</section>"
    )


def page(export: dict[str, Any]) -> str:
    """The whole export as one HTML document."""
    case = escape(export["case"])
    body = "".join(_escalation(one) for one in export["escalations"])
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>Records about {case}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>Records about {case}</h1>\n"
        f"<p>These are all the records the Independent Reviewing Officer service's escalation"
        f" system holds about the child with case reference {case}: {counted(export)}, as they"
        f" stood on {escape(export['produced'])}. {naming(export)}</p>\n"
        f"<h2>What an escalation is</h2>\n<p>{escape(ABOUT)}</p>\n{body}\n"
        f'<p class="small">Produced by {escape(export["produced_by"])} on'
        f" {escape(export['produced'])} in answer to a subject access request. Each time"
        " someone looks at these records it is recorded, and this copy was recorded too.</p>\n"
        "</body>\n</html>\n"
    )
