"""Personal text committed to by salted digests: what an entry stores opens to exactly what was
written, removing the text shows "[redacted]", and no other text matches the digest."""

from __future__ import annotations

import json
from itertools import count

from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain import committed
from escalation_engine.domain.committed import NOTE, REDACTED

PERSONAL = frozenset({"outcome", "next_step"})
text = st.text(min_size=1, max_size=40)


def _salts() -> object:
    n = count()
    return lambda: f"{next(n):032x}"


@given(note=st.text(max_size=40), outcome=text, other=text)
def test_what_is_stored_opens_to_what_was_written(note: str, outcome: str, other: str) -> None:
    kept, data, openings = committed.commit(
        note,
        {"outcome": outcome, "held_on": "2026-01-05"},
        PERSONAL,
        _salts(),  # type: ignore[arg-type]
    )
    assert data["held_on"] == "2026-01-05"  # the skeleton is stored as it is
    assert (kept == note) is (note == "")
    texts = {o.field: o.text for o in openings}
    stored = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert committed.opened(kept, stored, texts, PERSONAL) == (
        note, json.dumps({"held_on": "2026-01-05", "outcome": outcome}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False),
    )  # fmt: skip
    digests = committed.committed(kept, data, PERSONAL)
    assert set(digests) == {"outcome"} | ({NOTE} if note else set())
    for o in openings:
        assert digests[o.field] == o.digest
        if other != o.text:
            assert committed.commitment(o.salt, other) != o.digest


def test_text_removed_reads_as_redacted() -> None:
    kept, data, _ = committed.commit("A note", {"next_step": "Call"}, PERSONAL, _salts())  # type: ignore[arg-type]
    stored = json.dumps(data)
    note, opened = committed.opened(kept, stored, {}, PERSONAL)
    assert (note, json.loads(opened)["next_step"]) == (REDACTED, REDACTED)


def test_the_same_text_under_another_salt_has_another_digest() -> None:
    assert committed.commitment("00" * 16, "Yes") != committed.commitment("01" * 16, "Yes")


def test_the_summary_follows_the_latest_correction_of_the_raising_note() -> None:
    entries = [
        (1, "raise", {}), (2, "correct", {"entry": 1, "field": "note"}),
        (3, "correct", {"entry": 1, "field": "note"}), (4, "correct", {"entry": 2, "field": "note"}),
        (5, "correct", {"entry": 3, "field": "outcome"}), (6, "correct", {"entry": 3, "field": "note"}),
    ]  # fmt: skip
    assert committed.summary_entry(entries) == 6
    assert committed.summary_entry(entries[:2]) == 2
