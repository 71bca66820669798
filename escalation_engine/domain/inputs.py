"""What a person gives besides an action's own inputs, as every door spells it: the deadline
and named dates given when raising, the last day someone is away, and the period a report or
the trail covers.

A refusal in the rules names the fact ("the last day away") and says which input it is about;
the command line adds its option, the desk marks its field.
"""

from __future__ import annotations

from escalation_engine.domain.actions.base import Input

DUE = Input(
    name="due", kind="day", fact="the deadline you set", option="--due", metavar="YYYY-MM-DD",
    label="Deadline you set", help="Deadline you set, where the stage lets the raiser set it.",
)  # fmt: skip
NAMED_DATE = Input(
    name="dates", kind="text", fact="the named date", option="--date",
    metavar="NAME=YYYY-MM-DD", label="Named dates", help="A named date, e.g. review_date=2026-03-02.",
)  # fmt: skip
AWAY_UNTIL = Input(
    name="until", kind="day", fact="the last day away", option="--until", metavar="YYYY-MM-DD",
    label="Last day away", help="The last day they are away (they are back the day after).",
)  # fmt: skip
YEAR = Input(
    name="year", kind="text", fact="the financial year", option="--year", metavar="YYYY-YY",
    label="Financial year", help="A financial year, e.g. 2025-26 (April 2025 to March 2026).",
)  # fmt: skip
FROM = Input(
    name="from", kind="day", fact="the first day", option="--from", metavar="YYYY-MM-DD",
    label="From", help="The first day (UK time).",
)  # fmt: skip
TO = Input(
    name="to", kind="day", fact="the last day", option="--to", metavar="YYYY-MM-DD",
    label="To", help="The last day (UK time).",
)  # fmt: skip
