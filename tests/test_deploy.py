"""The server's files as ``desmigratif deploy`` prints them, and the nginx site tried for
real: Debian's nginx with TLS in front of two ``desmigratif run --webhook`` processes on
PostgreSQL, taking webhook posts and spreading them; a backup restored into an empty
database."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from bot.__main__ import main
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.deploy import FILES, Site, printed
from storage.db import create_engine
from storage.models import InboxUpdate
from tests.conftest import POSTGRES_URL
from tests.test_kill import BotProcess, look, served  # noqa: F401 (fixtures)
from tests.test_scale_out import HEADERS, process
from tests.test_webhook import sample

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


# --- the files ----------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(FILES))
def test_every_placeholder_is_filled(what):
    assert "{{" not in printed(what)
    assert "}}" not in printed(what)


def test_the_nginx_site_lists_every_process_and_the_webhook_path(capsys):
    assert main(["deploy", "nginx", "--domain", "desa.example.id", "--ports", "8081,8083"]) == 0
    site = capsys.readouterr().out
    assert "    server 127.0.0.1:8081;\n    server 127.0.0.1:8083;\n    keepalive 16;" in site
    assert "location = /telegram {" in site
    assert "ssl_certificate /etc/letsencrypt/live/desa.example.id/fullchain.pem;" in site
    assert "server_name desa.example.id;" in site


@pytest.mark.parametrize(
    ("option", "said"),
    [(["--ports", "8081,x"], "--ports"), (["--path", "telegram"], "--path must start with /")],
)
def test_bad_options_are_named(capsys, option, said):
    with pytest.raises(SystemExit) as exit_:
        main(["deploy", "nginx", *option])
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_the_unit_gives_each_instance_its_port_and_name():
    unit = printed("service")
    lines = set(unit.splitlines())
    assert {
        "Environment=LISTEN=127.0.0.1:808%i",
        "Environment=INSTANCE_NAME=%H-%i",
        "ExecStart=/opt/desmigratif/.venv/bin/desmigratif run --webhook",
        "EnvironmentFile=/etc/desmigratif/env",
        "Restart=always",
    } <= lines


def test_the_env_file_names_only_settings_the_bot_knows():
    from bot.config import Settings

    known = {name.upper() for name in Settings.model_fields}
    names = [
        line.split("=", 1)[0]
        for line in printed("env").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(names) == 9
    assert set(names) <= known


# --- nginx in front of two processes -------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def shell(*argv: str) -> str:
    """Run a command; its output, or the test fails with what it said."""
    child = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await child.communicate()
    assert child.returncode == 0, f"{argv[0]} failed: {output.decode(errors='replace')}"
    return output.decode(errors="replace")


@contextlib.asynccontextmanager
async def nginx(tmp_path: Path, site: Site) -> AsyncIterator[int]:
    """Debian's nginx serving the site file as printed, with a self-signed certificate."""
    assert NGINX is not None
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    await shell(
        *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
        *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate)),
    )
    site = Site(**{**site.__dict__, "certificate": str(certificate), "key": str(key)})
    (tmp_path / "site.conf").write_text(printed("nginx", site))
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "worker_processes 1;\nevents { worker_connections 256; }\nhttp {\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    command = [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)]
    await shell(*command, "-t")  # the site file as printed is valid nginx
    server = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", site.https_port)
            except OSError:
                assert server.returncode is None, (tmp_path / "error.log").read_text()
                await asyncio.sleep(0.05)
                continue
            writer.close()
            break
        yield site.https_port
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)


@pytest.fixture
async def two_processes(
    database_url: str,
    served: str,  # noqa: F811
    tmp_path: Path,
    emulator: BotAPIEmulator,
) -> AsyncIterator[tuple[list[BotProcess], list[int]]]:
    ports = [free_port(), free_port()]
    bots = []
    for n, port in enumerate(ports, 1):
        bot = process(database_url, served, tmp_path, f"n{n}")
        bot.env["LISTEN"] = f"127.0.0.1:{port}"
        bots.append(bot)
    try:
        for bot in bots:
            await bot.start(
                emulator,
                "--webhook",
                ready=lambda b=bot: "serving the webhook" in b.log.read_text(),
            )
        yield bots, ports
    finally:
        for bot in bots:
            await bot.stop()


async def handled_by(port: int) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        page = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sample(page, "desmigratif_updates_total", kind="message", outcome="handled") or 0


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)")
async def test_nginx_spreads_the_webhook_over_two_processes(
    two_processes,
    emulator,
    tmp_path,
    look,  # noqa: F811
):
    bots, ports = two_processes
    async with nginx(
        tmp_path, Site(domain="localhost", ports=tuple(ports), https_port=free_port())
    ) as https_port:
        base = f"https://127.0.0.1:{https_port}"
        async with httpx.AsyncClient(base_url=base, verify=False, timeout=20) as client:
            updates = [emulator.message_update(91_000 + n, "/start") for n in range(20)]
            answers = await asyncio.gather(
                *(client.post("/telegram", json=u, headers=HEADERS) for u in updates)
            )
            assert [a.status_code for a in answers] == [200] * 20

            async def all_done() -> bool:
                rows = await look(select(func.count()).where(InboxUpdate.status == "done"))
                return rows[0][0] == 20

            await bots[0].until(all_done, "handle the 20 updates through nginx")
            spread = [await handled_by(port) for port in ports]
            assert sum(spread) == 20
            assert min(spread) >= 1, spread  # both took a share

            # nginx itself refuses what is not a webhook post, and publishes nothing else.
            wrong = await client.post(
                "/telegram", json=updates[0], headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
            )
            assert wrong.status_code == 403  # the bot's answer, passed through
            assert (await client.get("/telegram")).status_code == 403
            assert (await client.get("/metrics")).status_code == 404
            assert (await client.get("/healthz")).status_code == 404
            big = await client.post(
                "/telegram",
                content=b"x" * (257 * 1024),
                headers={**HEADERS, "content-type": "application/json"},
            )
            assert big.status_code == 413

            # One process stops: nginx sends everything to the other, nothing is refused.
            await bots[0].stop()
            later = [emulator.message_update(92_000 + n, "/start") for n in range(6)]
            answers = [await client.post("/telegram", json=u, headers=HEADERS) for u in later]
            assert [a.status_code for a in answers] == [200] * 6

            async def all_26() -> bool:
                rows = await look(select(func.count()).where(InboxUpdate.status == "done"))
                return rows[0][0] == 26

            await bots[1].until(all_26, "handle the posts after one process stopped")


# --- backup and restore --------------------------------------------------------------


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
async def test_a_backup_restores_into_an_empty_database(app, person, database_url, tmp_path):
    """The backup unit's command (pg_dump, custom format), then the README's restore
    (pg_restore into a new database): the same people, and migrations current."""
    from tests.test_onboarding import onboard

    for user_id in (93_001, 93_002):
        await onboard(person(user_id))
    url = database_url.replace("postgresql+asyncpg://", "postgresql://")
    dump = tmp_path / "desmigratif.dump"
    await shell("pg_dump", "--format=custom", f"--file={dump}", url)
    base, _, name = url.rpartition("/")
    restored = f"{name}_restored"
    admin = f"{base}/postgres"
    await shell("psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored}"')
    await shell("psql", admin, "-qc", f'CREATE DATABASE "{restored}"')
    try:
        await shell("pg_restore", "--no-owner", f"--dbname={base}/{restored}", str(dump))
        engine = create_engine(database_url.rsplit("/", 1)[0] + f"/{restored}")
        try:
            async with engine.connect() as connection:
                people = await connection.scalar(text("SELECT count(*) FROM users"))
                version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            await engine.dispose()
        from storage.migrations import head_revision

        assert (people, version) == (2, head_revision())
    finally:
        await shell("psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored}"')
