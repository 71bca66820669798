"""``escalate serve`` and the CLI as its client: who you are is proved by a sign-in, every command
runs as that person and nobody else, and the service holds its requests to its limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.support.databases import DATABASES, database, fingerprint
from tests.support.server import PASSWORD, Live, as_client, service_folder, serving, sign_in

RAISE = ("raise", "--type", "practice_alert", "--case", "CLA-100234", "--category",
         "drift_and_delay", "--summary", "No permanence plan", "--team", "north", "--json")  # fmt: skip


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("service")
    with database(request.param, path) as url, serving(service_folder(path, url)) as running:
        yield running


def _raise(live: Live, tmp_path: Path) -> tuple[Path, str]:
    aisha = live.client(tmp_path / "aisha", "aisha")
    result = as_client(aisha, *RAISE)
    assert result.returncode == 0, result.stderr
    return aisha, json.loads(result.stdout)["reference"]


def test_health_and_readiness_answer(live: Live) -> None:
    # Alive; degraded while no worker runs beside the server, saying so without naming anything.
    health = httpx.get(live.url + "/health")
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "problems": {"worker_not_running": 1, "notifications_not_configured": 1},
    }
    ready = httpx.get(live.url + "/ready")
    assert (ready.status_code, ready.json()) == (200, {"ready": True, "problems": []})


def test_an_iro_raises_through_the_server_and_the_manager_responds_as_herself(
    live: Live, tmp_path: Path
) -> None:
    aisha, reference = _raise(live, tmp_path)
    jo = live.client(tmp_path / "jo", "jo")
    waiting = as_client(jo, "list", "--waiting", "--json")
    assert reference in [item["reference"] for item in json.loads(waiting.stdout)]
    answer = as_client(jo, "respond", reference, "--note", "Planning meeting booked")
    assert answer.returncode == 0, answer.stderr
    assert as_client(aisha, "reject", reference, "--note", "Not enough").returncode == 0
    trail = json.loads(as_client(aisha, "audit", reference, "--json").stdout)
    assert [(row["action"], row["actor"]) for row in trail] == [
        ("raise", "aisha"), ("respond", "jo"), ("reject", "aisha"),
    ]  # fmt: skip
    assert not any("entered_by" in json.dumps(row) for row in trail)


def test_whoami_says_who_signed_in(live: Live, tmp_path: Path) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    me = json.loads(as_client(jo, "whoami", "--json").stdout)
    assert (me["username"], me["server"]) == ("jo", live.url)


def test_as_is_refused_against_a_server_and_writes_nothing(live: Live, tmp_path: Path) -> None:
    aisha, reference = _raise(live, tmp_path)
    engine = live.service.engine
    before = fingerprint(engine)
    for how in (["--as", "jo"], []):
        env = {} if how else {"ESCALATE_USER": "jo"}
        result = as_client(aisha, "respond", reference, "--note", "x", *how, env=env)
        assert result.returncode == 1
        assert "Acting as 'jo' (--as or ESCALATE_USER) is refused" in result.stderr
    assert fingerprint(engine) == before


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer esc_" + "A" * 43, "Bearer not-a-token", "Basic YWlzaGE6cGFzcw=="],
)
def test_a_missing_or_forged_token_is_refused(live: Live, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = httpx.get(live.url + "/api/v1/escalations", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["kind"] == "SignInRefused"


def test_an_expired_token_is_refused(live: Live) -> None:
    with sign_in(live, "tom") as tom:
        assert tom.get("/api/v1/me").status_code == 200
        engine = live.service.engine
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE api_token SET expires_at = :past WHERE username = 'tom'"),
                {"past": datetime.now(UTC) - timedelta(minutes=1)},
            )
        answer = tom.get("/api/v1/me")
        assert answer.status_code == 401
        assert "expired" in answer.json()["error"]


def test_signing_out_ends_the_token_on_the_server(live: Live, tmp_path: Path) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    token = json.loads((jo / ".config" / "escalate" / "session.json").read_text())["token"]
    assert as_client(jo, "logout").returncode == 0
    assert not (jo / ".config" / "escalate" / "session.json").exists()
    answer = httpx.get(live.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    result = as_client(jo, "list")
    assert result.returncode == 1
    assert "not signed in" in result.stderr


def test_the_token_is_kept_readable_by_its_owner_only_and_never_borrowed(
    live: Live, tmp_path: Path
) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    kept = jo / ".config" / "escalate" / "session.json"
    assert (kept.stat().st_mode & 0o777, kept.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    kept.chmod(0o644)
    result = as_client(jo, "list")
    assert (result.returncode, "can be read by others" in result.stderr) == (1, True)
    kept.chmod(0o600)
    if os.getuid() == 0:  # only root can hand a file to another user
        os.chown(kept, 65534, 65534)
        result = as_client(jo, "list")
        assert (result.returncode, "belongs to another user" in result.stderr) == (1, True)


def test_no_parameter_names_who_acts(live: Live, tmp_path: Path) -> None:
    _, reference = _raise(live, tmp_path)
    with sign_in(live, "tom") as tom:
        before = fingerprint(live.service.engine)
        for extra in ({"actor": "jo"}, {"username": "jo"}, {"as": "jo"}):
            answer = tom.post(
                f"/api/v1/escalations/{reference}/actions/respond", json={"note": "x"} | extra
            )
            assert answer.status_code == 422, answer.text
            assert "is not a parameter of act" in answer.json()["error"]
        assert tom.get("/api/v1/escalations", params={"as": "jo"}).status_code == 422
        assert fingerprint(live.service.engine) == before


def test_the_read_rules_hold_over_the_api_and_every_look_is_logged(
    live: Live, tmp_path: Path
) -> None:
    _, reference = _raise(live, tmp_path)
    with sign_in(live, "tom") as tom:
        refused = tom.get(f"/api/v1/escalations/{reference}")
        assert refused.status_code == 404  # as if it did not exist: nothing learnt
        assert "that you may see" in refused.json()["error"]
    with sign_in(live, "jo") as jo:
        assert jo.get(f"/api/v1/escalations/{reference}").status_code == 200
    with sign_in(live, "amir") as amir:
        looks = amir.get("/api/v1/access-log", params={"reference": reference}).json()
    assert [(look["viewer"], look["view"]) for look in looks] == [
        ("tom", "refused"),
        ("jo", "show"),
    ]


def test_a_failed_sign_in_says_only_that_it_failed_and_is_recorded(live: Live) -> None:
    for username in ("jo", "nobody"):
        answer = httpx.post(
            live.url + "/api/v1/sessions", json={"username": username, "password": "wrong guess"}
        )
        assert answer.status_code == 401
        assert answer.json()["error"].startswith("Sign-in refused: the username or password")
    service = live.service
    record = [(r.username, r.ok, r.source) for r in service.accounts.sign_ins("amir")]
    assert ("nobody", False, "127.0.0.1") in record
    assert PASSWORD not in json.dumps(
        [list(map(str, r)) for r in service.accounts.sign_ins("amir")]
    )


def test_a_request_too_large_is_refused_before_it_is_read(live: Live, tmp_path: Path) -> None:
    _, reference = _raise(live, tmp_path)
    with sign_in(live, "jo") as jo:
        before = fingerprint(live.service.engine)
        url = f"/api/v1/escalations/{reference}/actions/respond"
        big = json.dumps({"note": "x" * 70_000}).encode()
        assert jo.post(url, content=big).status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(70):
                yield b" " * 1_000

        assert jo.post(url, content=chunks()).status_code == 413
        assert jo.post(url, content=b"[1, 2]").status_code == 422
        assert fingerprint(live.service.engine) == before


def test_every_answer_carries_the_security_headers(live: Live) -> None:
    for answer in (httpx.get(live.url + "/health"), httpx.get(live.url + "/api/v1/me")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-store"
        assert "server" not in answer.headers


FORBIDDEN = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "apscheduler", "transitions")


def test_a_client_command_loads_no_database_layer(live: Live, tmp_path: Path) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    probe = (
        "import sys\nfrom escalation_engine.cli import main\nsys.argv = ['escalate', 'list']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env["XDG_CONFIG_HOME"] = str(jo / ".config")
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=jo, env=env, capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stderr


def test_without_a_server_there_is_nothing_to_sign_in_to(tmp_path: Path) -> None:
    result = as_client(tmp_path, "login", stdin=PASSWORD + "\n")
    assert result.returncode == 1
    assert "No server to sign in to" in result.stderr


def test_a_server_signed_in_to_outside_a_service_folder_is_used_by_the_next_commands(
    live: Live, tmp_path: Path
) -> None:
    laptop = tmp_path / "laptop"  # an IRO's laptop: no config.yaml anywhere
    laptop.mkdir()
    signed = as_client(laptop, "login", "--server", live.url, "--username", "aisha",
                       stdin=PASSWORD + "\n")  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    listed = as_client(laptop, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)
    assert not (laptop / "config.yaml").exists()
    assert as_client(laptop, "logout").returncode == 0
    after = as_client(laptop, "list")
    assert after.returncode == 1
    assert "escalate login --server URL" in " ".join(after.stderr.split())


def test_a_command_for_the_service_host_says_so_on_a_client(live: Live, tmp_path: Path) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    result = as_client(jo, "tick")
    assert result.returncode == 1
    assert f"This computer is a client of {live.url}" in result.stderr


def test_a_client_reads_the_servers_workflows(live: Live, tmp_path: Path) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    listed = as_client(jo, "workflows", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "dispute_resolution" in {spec["name"] for spec in json.loads(listed.stdout)}
    shown = as_client(jo, "workflows", "show", "dispute_resolution", "--json")
    assert shown.returncode == 0, shown.stderr
    spec = json.loads(shown.stdout)
    assert spec["stages"][0]["sentence"]
    assert spec["mermaid"].startswith("flowchart")
    assert as_client(jo, "workflows", "show", "dispute_resolution").returncode == 0


def test_the_worker_status_and_verify_are_for_the_iro_manager_and_auditors(
    live: Live, tmp_path: Path
) -> None:
    jo = live.client(tmp_path / "jo", "jo")
    for command in (("status",), ("audit", "verify")):
        refused = as_client(jo, *command)
        assert refused.returncode == 1
        assert "iro_manager or auditor role" in refused.stderr
    amir = live.client(tmp_path / "amir", "amir")
    status = as_client(amir, "status", "--json")
    assert status.returncode in (0, 1), status.stderr  # 1: no worker runs beside this server
    assert "worker_alive" in json.loads(status.stdout)
    verified = as_client(amir, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "Audit trail verified" in verified.stdout


def test_verify_from_a_client_does_not_take_a_folder_of_this_computer(
    live: Live, tmp_path: Path
) -> None:
    amir = live.client(tmp_path / "amir", "amir")
    refused = as_client(amir, "audit", "verify", "--checkpoints", str(tmp_path))
    assert refused.returncode == 1
    assert "checked on the server, against its own checkpoint folder" in refused.stderr


def test_a_client_produces_the_report_and_its_files_from_the_servers_figures(
    live: Live, tmp_path: Path
) -> None:
    _raise(live, tmp_path)
    priya = live.client(tmp_path / "priya", "priya")
    shown = as_client(
        priya, "report", "--from", "2020-01-01", "--to", "2030-12-31", "--format", "json"
    )
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)["tables"][0]
    assert summary["rows"][0]["cells"][0]["value"] >= 1
    target = priya / "report.xlsx"
    made = as_client(priya, "report", "--from", "2020-01-01", "--to", "2030-12-31", "--format",
                     "xlsx", "-o", str(target))  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert target.read_bytes()[:2] == b"PK"
    explained = as_client(priya, "report", "--from", "2020-01-01", "--to", "2030-12-31",
                          "--explain", "summary.raised.this", "--format", "json")  # fmt: skip
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)[0]["evidence"]
    jo = live.client(tmp_path / "jo", "jo")
    refused = as_client(jo, "report")
    assert refused.returncode == 1
    assert "iro_manager or auditor role" in refused.stderr
    importing = as_client(priya, "import", "legacy.csv")
    assert importing.returncode == 1
    assert f"This computer is a client of {live.url}" in importing.stderr


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


@pytest.mark.parametrize("ending", ["stopped", "a process dies"])
def test_several_server_processes_share_the_port_and_stop_together(
    tmp_path: Path, ending: str
) -> None:
    from tests.support.server import ESCALATE

    with database("sqlite", tmp_path) as url:
        folder = service_folder(tmp_path, url)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
        process = subprocess.Popen(
            [str(ESCALATE), "serve", "--host", "127.0.0.1", "--port", "0", "--workers", "2"],
            cwd=folder, env=clean, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            port = process.stdout.readline().split("127.0.0.1:")[1].split()[0]
            url = f"http://127.0.0.1:{port}"
            # Each process answers once it is up; both must be serving the one port.
            answered = {httpx.get(url + "/health", timeout=30).status_code for _ in range(10)}
            assert answered == {200}
            servers = _children(process.pid)
            assert len(servers) == 2
            with sign_in(Live(folder, url, process), "jo") as session:
                assert session.get("/api/v1/inbox").status_code == 200
            if ending == "stopped":
                process.terminate()
            else:
                os.kill(servers[0], 9)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == (0 if ending == "stopped" else 1), stderr
        for pid in servers:  # none is left behind
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )
