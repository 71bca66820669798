"""Personal text committed to, not embedded: how an entry keeps a note it may one day have to
give up without breaking the chain.

A signed, chained entry cannot lose a word of what its hash covers. So from schema version 3 on,
an entry's hash covers, for its note and for each field of its details that holds free text
(a meeting's outcome and next step), a salted SHA-256 digest of the text (``sha256:...``);
the text and its salt are kept beside the entry. Removing them (a redaction) leaves the digest,
the hash, the signature and every seal as they were; putting the same text back matches the
digest again, and any other text does not. The salt keeps a short note ("Yes") from being
found by hashing guesses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The first schema version whose entries commit to their personal text.
SCHEMA = 3
#: The field name of an entry's note (its other fields are its details' keys).
NOTE = "note"
#: What a reader is shown where text was redacted.
REDACTED = "[redacted]"
PREFIX = "sha256:"


def commitment(salt: str, text: str) -> str:
    """The digest an entry keeps of ``text`` (salted with ``salt``, hex)."""
    return PREFIX + hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Opening:
    """The text of one committed field and its salt: what the digest in the entry opens to."""

    field: str
    salt: str
    text: str

    @property
    def digest(self) -> str:
        return commitment(self.salt, self.text)


def commit(
    note: str, data: Mapping[str, Any], personal: Iterable[str], salt: Callable[[], str]
) -> tuple[str, dict[str, Any], tuple[Opening, ...]]:
    """The note and details as an entry stores them (each piece of personal text replaced by its
    digest), and the openings kept beside it. Empty text is stored as it is: nothing to keep."""
    openings: list[Opening] = []
    stored = dict(data)

    def sealed(name: str, text: str) -> str:
        opening = Opening(name, salt(), text)
        openings.append(opening)
        return opening.digest

    for name in sorted(set(personal) & set(data)):
        if isinstance(data[name], str) and data[name]:
            stored[name] = sealed(name, data[name])
    return (sealed(NOTE, note) if note else note), stored, tuple(openings)


def committed(note: str, data: Mapping[str, Any], personal: Iterable[str]) -> dict[str, str]:
    """The digests a stored entry of schema ``SCHEMA`` or later keeps, by field."""
    found = {name: data[name] for name in personal if _digest(data.get(name))}
    return found | ({NOTE: note} if _digest(note) else {})


def _digest(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def opened(
    note: str, data: str, texts: Mapping[str, str], personal: Iterable[str]
) -> tuple[str, str]:
    """A stored entry's note and details (JSON) with its committed text put back from
    ``texts`` (by field), or shown as redacted where the text was removed."""
    if _digest(note):
        note = texts.get(NOTE, REDACTED)
    if PREFIX not in data:
        return note, data
    values = json.loads(data)
    for name in personal:
        if _digest(values.get(name)):
            values[name] = texts.get(name, REDACTED)
    return note, json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def summary_entry(entries: Iterable[tuple[int, str, Mapping[str, Any]]]) -> int | None:
    """Which entry's note an escalation's summary is, from its entries (sequence number,
    action, details) in order: its raising's, or the latest correction of that note (or of a
    correction of it)."""
    source, lineage = None, set[int]()
    for seq, action, data in entries:
        if action == "raise" or corrects(lineage, action, data):
            source = seq
            lineage.add(seq)
    return source


def corrects(lineage: Collection[int], action: str, data: Mapping[str, Any]) -> bool:
    """Whether an entry (its action and details) corrects the note of an entry in
    ``lineage`` (the summary's entries: the raising and its corrections so far)."""
    return action == "correct" and data.get("entry") in lineage and data.get("field") == NOTE
