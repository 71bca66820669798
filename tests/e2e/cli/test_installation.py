"""What a database is for is sealed with the trail's key: a live database flipped to training by
SQL still refuses a pretended clock, and ``audit verify`` names the flip; a training database
keeps its pretended clock, and its entries never run backwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from escalation_engine.app import skeleton
from tests.support.cli import RAISE, init_site, run, site_engine
from tests.support.databases import DATABASES, database, fingerprint
from tests.support.tampering import guards_off


@pytest.fixture(params=DATABASES)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    with database(request.param, tmp_path) as url:
        # As 'escalate init' writes it for a live service: its trail signed with a new key.
        config = skeleton.write_config(tmp_path, database_url=url)
        config.write_text(config.read_text() + "allow_act_as: true\n")
        assert run(tmp_path, "init").returncode == 0
        yield tmp_path


def test_a_live_database_flipped_to_training_by_sql_refuses_a_pretended_clock(live: Path) -> None:
    engine = site_engine(live)
    with engine.begin() as connection:
        guards_off(connection)
        connection.execute(text("UPDATE installation SET training = true"))
    before = fingerprint(engine)
    refused = run(live, *RAISE, now="2026-01-05T09:00:00+00:00")
    assert refused.returncode != 0
    assert "ESCALATE_FAKE_NOW is set, and this database holds live escalations" in " ".join(
        refused.stderr.split()
    )
    assert fingerprint(engine) == before
    verified = run(live, "audit", "verify")
    assert verified.returncode == 1
    said = " ".join(verified.stderr.split())
    assert (
        "the installation record says the database is for training, but its seal does not match"
        in said
    )
    engine.dispose()


@pytest.fixture(params=DATABASES)
def training(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    with database(request.param, tmp_path) as url:
        yield init_site(tmp_path, url)


def test_a_training_database_may_pretend_but_never_backwards(training: Path) -> None:
    assert run(training, *RAISE, now="2026-01-12T09:00:00+00:00").returncode == 0
    engine = site_engine(training)
    before = fingerprint(engine)
    back = run(training, *RAISE, now="2026-01-05T09:00:00+00:00")
    assert back.returncode != 0
    said = " ".join(back.stderr.split())
    assert "the trail's times never run backwards, so nothing was written" in said
    assert fingerprint(engine) == before
    assert run(training, "audit", "verify").returncode == 0
    engine.dispose()


def test_init_warns_while_checkpoints_would_roll_back_with_the_database(tmp_path: Path) -> None:
    result = run(tmp_path, "init", user=None)
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "inside this folder: they roll back with the database" in said
    config = tmp_path / "config.yaml"
    elsewhere = tmp_path.parent / f"{tmp_path.name}-auditors"
    config.write_text(
        config.read_text().replace("{folder: checkpoints,", f"{{folder: {elsewhere},")
    )
    again = run(tmp_path, "init", user=None)
    assert again.returncode == 0, again.stderr
    assert "roll back with the database" not in " ".join(again.stdout.split())
