"""Database addresses as people write them: one host, or a primary and its standbys named in
turn so that a connection finds whichever accepts writes after a failover; anything else is
refused, naming what is wrong, without showing a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation_engine.errors import ConfigError
from escalation_engine.settings.database import database_url

WHERE = "config.yaml: database_url"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("postgresql://app:pw@db.example.org/escalations",
         "postgresql+psycopg://app:pw@db.example.org/escalations"),
        ("postgresql://app:pw@/escalations?host=db1:5432&host=db2:5433&target_session_attrs=read-write",
         "postgresql+psycopg://app:pw@/escalations?host=db1:5432&host=db2:5433&target_session_attrs=read-write"),
        ("postgresql+psycopg://app@/escalations?host=db1&host=db2", "postgresql+psycopg://app@/escalations?host=db1&host=db2"),
    ],
)  # fmt: skip
def test_one_host_or_a_primary_and_its_standbys_are_accepted(written: str, kept: str) -> None:
    assert database_url(written, WHERE, Path(".")) == kept


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("postgresql://app:secret@/escalations", "needs a host and a database name"),
        ("postgresql://app:secret@/escalations?host=db1:99999", "host='db1:99999' is not a host"),
        ("postgresql://app:secret@/escalations?host=:5432", "host=':5432' is not a host"),
        ("postgresql://app:secret@db1/?host=db2", "needs a host and a database name"),
    ],
)
def test_a_host_list_that_cannot_work_is_refused_naming_it(written: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said) as refused:
        database_url(written, WHERE, Path("."))
    assert "secret" not in str(refused.value)
