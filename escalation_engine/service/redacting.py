"""Redaction and correction of the personal text in the trail, as audited acts of the data
protection role.

A redaction removes one field's text (a note, a meeting's outcome) from beside its entry, leaving
the entry's digest, hash and signature as they were, and records who removed it, when and why in
a signed entry of its own; the text then leaves the database's files. A correction says the text
again, right, in a new entry linked to the one it corrects; the entry corrected is kept. Neither
moves an escalation or touches a figure a report counts; an escalation's summary follows its
raising's note (or the latest correction of it), and is cleared where that text is redacted.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain import committed
from escalation_engine.domain.actions.catalogue import PERSONAL
from escalation_engine.domain.events import Corrected, Redacted
from escalation_engine.domain.visibility import DATA_PROTECTION
from escalation_engine.errors import InvalidInput, NotFound, one_of
from escalation_engine.service import outbox
from escalation_engine.service.context import ENGINE_ACTOR, MAX_NOTE, Context, check_text
from escalation_engine.service.viewing import Viewing
from escalation_engine.trail import redaction_log
from escalation_engine.trail.audit import Entry

log = logging.getLogger(__name__)

#: What each act is, as a refusal names it.
REDACTING = "redact text in the audit trail"
CORRECTING = "correct text in the audit trail"
#: The fields that hold personal text: an entry's note and its details' free text.
FIELDS: tuple[str, ...] = (committed.NOTE, *sorted(PERSONAL))
MAX_WHY = 500


class Redacting:
    """Removing and correcting an entry's personal text."""

    def __init__(self, ctx: Context, viewing: Viewing) -> None:
        self.ctx = ctx
        self.viewing = viewing

    def redact(self, username: str, reference: str, entry: int, field: str, why: str) -> Entry:
        """Remove the ``field`` text of entry ``entry`` of ``reference``, for ``why``."""
        self.viewing.require_role(username, (DATA_PROTECTION,), REDACTING)
        return self.remove(reference, entry, field, _why(why), actor=username)

    def remove(
        self, reference: str, entry: int, field: str, why: str, *, actor: str,
        rule: str | None = None, finish: bool = True, digest: str | None = None,
    ) -> Entry:  # fmt: skip
        """Remove the text (by ``actor``: a person, or the engine applying retention ``rule``);
        with ``finish`` false, the caller clears the files and writes the redaction log once it
        has removed many (``finish``)."""
        with store.unit_of_work(self.ctx.engine) as session:
            loaded = store.load(session, reference, lock=True)
            target = _target(session, loaded.escalation.reference, entry, field)
            if target.schema_version < committed.SCHEMA:
                raise InvalidInput(
                    f"Entry {entry} was written before personal text was kept apart from its"
                    f" entry (it is schema version {target.schema_version}; entries from"
                    f" {store.texts.first_committed(self.ctx.engine) or 'the next'} on are): its"
                    " text is part of what its signature covers and cannot be removed. Correct"
                    " it instead ('escalate correct')."
                )
            digests = committed.committed(target.note, json.loads(target.data), PERSONAL)
            if field not in digests:
                raise InvalidInput(f"Entry {entry} holds no {field} text to redact.")
            if digest is not None and digests[field] != digest:
                raise InvalidInput(
                    f"The {field} of entry {entry} is not the text the redaction log names."
                )
            removed = store.texts.remove(session, entry, field)
            if removed is None:
                raise InvalidInput(f"The {field} of entry {entry} is already redacted.")
            # A notice that carried the text (notifications.include_summary) loses it too.
            for held in store.notifications.holding(
                session, loaded.escalation.reference, removed.text
            ):
                scrubbed = outbox.without(held.body, removed.text, committed.REDACTED)
                store.notifications.rewrite(session, held.id, scrubbed)
            event = Redacted(entry=entry, field=field, why=why, digest=digests[field], rule=rule)
            written = self._record(session, loaded, event, actor=actor, note="")
        if finish:
            self.finish()
        return written

    def finish(self) -> None:
        """After redactions: clear the removed text from the database's files, and bring the
        redaction log (beside the checkpoints) up to date. A log that cannot be written is
        logged, not fatal: the redactions stand, and the next one writes what this one missed."""
        store.texts.scrub(self.ctx.engine)
        folder = self.ctx.settings.audit.checkpoint_folder
        if folder is None:
            return
        try:
            redaction_log.bring_up_to_date(self.ctx.engine, folder)
        except (OSError, InvalidInput) as exc:
            log.error("could not bring the redaction log in %s up to date: %s", folder, exc)

    def reapply(self, logged: list[redaction_log.Logged]) -> tuple[int, int]:
        """Make again each redaction in ``logged`` (a redaction log) whose text this database
        still keeps (a backup restored from before it): each a new signed entry by the engine,
        saying when and by whom it was first made. How many were made again, and how many
        lines named text this database does not hold as logged (another service's log)."""
        made = foreign = 0
        for line in logged:
            with store.reading(self.ctx.engine) as connection:
                kept = store.texts.kept(connection, line.entry, line.field)
            if not kept:
                continue  # removed already, here or before the backup was taken
            first = f"{line.by} on {line.at[:10]}"
            try:
                self.remove(
                    line.reference, line.entry, line.field,
                    f"Made again after a restore (first made by {first}): {line.why}",
                    actor=ENGINE_ACTOR, rule=line.rule, finish=False, digest=line.digest,
                )  # fmt: skip
            except (InvalidInput, NotFound):
                foreign += 1
                continue
            made += 1
        if made:
            self.finish()
        return made, foreign

    def correct(
        self, username: str, reference: str, entry: int, field: str, text: str, why: str
    ) -> Entry:
        """Say the ``field`` text of entry ``entry`` of ``reference`` again, as ``text``."""
        self.viewing.require_role(username, (DATA_PROTECTION,), CORRECTING)
        text = text.strip()
        if not text:
            raise InvalidInput("Give the corrected text (--text): it must not be empty.")
        check_text(text, "The corrected text (--text)", MAX_NOTE)
        why = _why(why)
        with store.unit_of_work(self.ctx.engine) as session:
            loaded = store.load(session, reference, lock=True)
            target = _target(session, loaded.escalation.reference, entry, field)
            if field != committed.NOTE and field not in json.loads(target.data):
                raise InvalidInput(f"Entry {entry} holds no {field} to correct.")
            event = Corrected(entry=entry, field=field, why=why)
            return self._record(session, loaded, event, actor=username, note=text)

    def _record(
        self, session: Connection, loaded: store.Loaded, event: Any, *, actor: str, note: str
    ) -> Entry:
        """The entry, and the escalation's summary as its trail now leaves it, saved together
        (nobody is told: it is not casework)."""
        escalation = loaded.escalation
        entry = self.ctx.append(
            session, escalation, at=self.ctx.clock.now(), actor=actor,
            actor_kind="engine" if actor == ENGINE_ACTOR else "person", action=event.ACTION,
            from_stage=escalation.stage, to_stage=escalation.stage, note=note, data=event.data(),
            watch=False,
        )  # fmt: skip
        rows = store.texts.trail_of(session, escalation.reference)
        source = committed.summary_entry((r.seq, r.action, json.loads(r.data)) for r in rows)
        escalation.summary = next(r.note for r in rows if r.seq == source)
        store.save(session, loaded, entry.hash)
        return entry


def _target(session: Connection, reference: str, entry: int, field: str) -> Any:
    if field not in FIELDS:
        raise InvalidInput(f"{field!r} is not a field that holds text; it is {one_of(FIELDS)}.")
    target = store.texts.entry(session, entry)
    if target is None or target.reference != reference:
        raise NotFound(
            f"Entry {entry} is not in {reference}'s trail; its case's subject-access export"
            " ('escalate subject-access CASE-REF --format json') numbers its entries."
        )
    return target


def _why(why: str) -> str:
    why = why.strip()
    if not why:
        raise InvalidInput(
            "Say why (--reason), in words that hold no personal details: it stays in the trail."
        )
    check_text(why, "The reason (--reason)", MAX_WHY)
    return why
