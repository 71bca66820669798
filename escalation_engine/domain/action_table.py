"""Every action, defined once: its name, the command people type, its help, whether it needs a
note or a target, and how a sentence and a notification say it was done.

The workflow format's permissions, the service's checks, the notifications, the words people read
and the ``escalate`` commands all read this table, so a new action is added in one place (and in
``machine.py``, which says where it may lead at each stage, and ``actions.py``, if it does more
than move the machine). It imports nothing, so the command line can build itself from it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One kind of audit entry: a person's action or the engine's."""

    name: str
    done: str
    headline: str
    #: For a person's action: the command, its help, an example note, and what it requires.
    command: str = ""
    summary: str = ""
    example: str = ""
    note_required: bool = False
    #: What the action is aimed at, as the refusal names it, e.g. "stage (--to)".
    target: str | None = None
    #: Its command takes a reference and a note, nothing else.
    note_only: bool = False


PERSON: tuple[Action, ...] = (
    Action(name="raise", command="raise", done="raised", headline="new escalation"),
    Action(name="respond", command="respond", done="responded", headline="response received",
           note_required=True),
    Action(name="accept", command="accept", done="accepted the response", headline="accepted",
           summary="Accept the response as satisfactory (resolves the escalation once everyone"
                   " needed agrees).", example="Plan agreed; date set", note_only=True),
    Action(name="reject", command="reject", done="rejected the response",
           headline="escalated: response not satisfactory", note_required=True,
           summary="Reject the response as unsatisfactory: the escalation moves up.",
           example="No date for the permanence meeting", note_only=True),
    Action(name="escalate", command="escalate", done="escalated early",
           headline="escalated early",
           summary="Move the escalation up one tier now, without waiting for the deadline.",
           example="Child's placement at risk this week", note_only=True),
    Action(name="bypass", command="bypass", done="bypassed", headline="moved by bypass",
           note_required=True, target="stage (--to)"),
    Action(name="extend", command="extend", done="extended the deadline",
           headline="deadline extended", note_required=True),
    Action(name="withdraw", command="withdraw", done="withdrew it", headline="withdrawn",
           note_required=True, summary="Withdraw the escalation.",
           example="Raised on the wrong child's record", note_only=True),
    Action(name="refer_cafcass", command="refer-cafcass", done="referred to Cafcass",
           headline="referred to Cafcass", note_required=True,
           summary="Refer the case to Cafcass (children in care only, where the workflow says so).",
           example="Child's right to family life at risk", note_only=True),
    Action(name="reopen", command="reopen", done="reopened it", headline="reopened",
           note_required=True, target="stage (--to)"),
    Action(name="rate", command="rate", done="gave a RAG rating", headline="RAG rating changed",
           target="rating (--rating)"),
    Action(name="supersede", command="supersede", done="closed it as superseded",
           headline="superseded", note_required=True,
           summary="Close the escalation as superseded (e.g. by a newer alert).",
           example="Superseded by ESC-2026-0051", note_only=True),
    Action(name="reallocate", command="reallocate", done="reallocated it",
           headline="reallocate", note_required=True),
    Action(name="meeting", command="meeting", done="recorded a dispute resolution meeting",
           headline="meeting recorded"),
    Action(name="not_looked_after", command="not-looked-after",
           done="recorded the child no longer looked after",
           headline="not looked after", note_required=True,
           summary="Record that the child has ceased to be looked after (Cafcass then closes where"
                   " it is for children in care only).",
           example="Returned home under a supervision order", note_only=True),
)  # fmt: skip

ENGINE: tuple[Action, ...] = (
    Action(name="timeout", done="no response in time: moved up",
           headline="escalated: no satisfactory response in time"),
    Action(name="reminder", done="reminder sent", headline="reminder"),
    Action(name="stage_breach", done="deadline passed at the top",
           headline="deadline passed at the top of the ladder"),
    Action(name="overall_breach", done="overall limit passed",
           headline="overall time limit passed"),
)  # fmt: skip

#: Entries about the people rather than the escalation: someone marked away or back.
ROUTING: tuple[Action, ...] = (
    Action(name="reroute", done="re-routed (someone away or back)", headline="now with you"),
)

BY_NAME: dict[str, Action] = {action.name: action for action in (*PERSON, *ENGINE, *ROUTING)}

#: Actions a person can take on an open (or, for ``reopen``, a closed) escalation.
PERSON_ACTIONS: tuple[str, ...] = tuple(action.name for action in PERSON)
