"""Officer and admin roles: granted in the database, checked on every command and button."""

from __future__ import annotations

import pytest

from bot.__main__ import main as cli
from bot.context import services_of
from storage.models import Officer
from tests import people
from tests.people import person as known
from tests.people import row_of
from tests.test_onboarding import onboard
from tests.transcript import label, sees

ADMIN = 900  # settings.admin_ids in conftest


async def grant(app, telegram_id: int, area: str) -> None:
    await people.grant(services_of(app), telegram_id, area)


async def test_plain_user_sees_no_officer_menu(person):
    reply = await onboard(person(401))
    assert label("id", "menu", "🛡 Officer menu") not in reply.buttons


@pytest.mark.parametrize(
    "command", ["/petugas", "/petugas tambah 401 kebumen", "/petugas hapus 900"]
)
async def test_non_admin_cannot_manage_officers(person, db, command):
    user = person(402)
    await onboard(user)
    reply = await user.say(command)
    sees(reply, "id", "Only admins can manage officers.")
    assert await row_of(db, Officer, 401) is None


@pytest.mark.parametrize("data", ["menu:officer", "adm:list", "adm:rm:{officer}"])
async def test_forged_officer_buttons_are_refused(app, person, db, data):
    await grant(app, 403, "jogosimo")
    user = person(404)
    await onboard(user)
    reply = await user.press(data.format(officer=await known(db, 403)))
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    assert "403" not in reply.text
    assert await row_of(db, Officer, 403) is not None


async def test_officer_menu_shows_area(app, person):
    officer = person(405)
    await onboard(officer)
    await grant(app, 405, "kebumen")
    reply = await officer.say("/menu")
    reply = await officer.tap(label("id", "menu", "🛡 Officer menu"))
    sees(reply, "id", "<b>Officer menu</b>")
    sees(reply, "id", "Your area: {area}", area="Kabupaten Kebumen")
    assert label("id", "button", "Officers") not in reply.buttons  # not an admin


async def test_officer_cannot_use_admin_buttons(app, person, db):
    officer = person(406)
    await onboard(officer)
    await grant(app, 406, "jogosimo")
    await grant(app, 407, "kebumen")
    reply = await officer.press(f"adm:rm:{await known(db, 407)}")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    assert await row_of(db, Officer, 407) is not None


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_admin_grants_and_removes_from_telegram(person, db, locale):
    admin = person(ADMIN)
    await onboard(admin, language={"id": "Bahasa Indonesia", "jv": "Basa Jawa"}[locale])
    reply = await admin.say("/petugas")
    sees(reply, locale, "There are no officers yet.")
    reply = await admin.say("/petugas tambah 408 Jogosimo")
    sees(
        reply,
        locale,
        "{id} is now an officer for {area}.",
        id=408,
        area="Jogosimo (Klirong, Kebumen)",
    )
    officer = await row_of(db, Officer, 408)
    assert (officer.area_id, officer.granted_by) == ("jogosimo", await known(db, ADMIN))

    reply = await admin.say("/petugas tambah 409 atlantis")
    sees(
        reply,
        locale,
        "Unknown area “{area}”. Areas: {areas}",
        area="atlantis",
        areas="kebumen, tanggulangin, jogosimo, kalibangkang, candirenggo",
    )
    reply = await admin.say("/petugas tambah")
    sees(reply, locale, "Usage: /petugas tambah TELEGRAM-ID AREA, or /petugas hapus TELEGRAM-ID.")

    reply = await admin.say("/petugas")
    reply = await admin.tap(label(locale, "button", "Remove {id}", id=408))
    sees(reply, locale, "{id} is no longer an officer.", id=408)
    db.expire_all()
    assert await row_of(db, Officer, 408) is None


async def test_admin_menu(person):
    admin = person(ADMIN)
    reply = await onboard(admin)
    assert label("id", "menu", "🛡 Officer menu") in reply.buttons
    reply = await admin.tap(label("id", "menu", "🛡 Officer menu"))
    sees(reply, "id", "You are an admin: you can grant and remove officer roles.")
    reply = await admin.tap(label("id", "button", "Officers"))
    sees(reply, "id", "There are no officers yet.")


def test_officer_cli(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir("/")
    assert cli(["officer", "add", "555", "--area", "kebumen"]) == 0
    assert "555 is an officer for Kabupaten Kebumen" in capsys.readouterr().out
    assert cli(["officer", "add", "556", "--area", "jogosimo"]) == 0
    assert cli(["officer", "list"]) == 0
    listing = capsys.readouterr().out
    assert "555\tkebumen\tKabupaten Kebumen" in listing
    assert "556\tjogosimo\tJogosimo (Klirong, Kebumen)" in listing
    assert cli(["officer", "add", "557", "--area", "mars"]) == 2
    assert "unknown area 'mars'" in capsys.readouterr().err
    assert cli(["officer", "remove", "555"]) == 0
    assert cli(["officer", "remove", "555"]) == 1
    capsys.readouterr()
    assert cli(["officer", "list"]) == 0
    assert "555" not in capsys.readouterr().out
