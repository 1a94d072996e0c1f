"""The officer's announcement dialog, as officers and recipients see it (id and jv)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import Announcement, Delivery
from tests.announcing import announce, body, officer, villager
from tests.transcript import label, sees, tr


def received(emulator, chat_id: int) -> list[str]:
    return [body(m.text) or m.text for m in emulator.bot_messages(chat_id)]


AUDIENCE = (
    "<b>Who receives it?</b>\nArea: {area}\nVillages: {villages}\nWho: {roles}\n"
    "Languages: {languages}\n\nRecipients now: <b>{count}</b>"
)
PREVIEW = "<b>Preview above.</b> Languages: {languages}\nRecipients: {count}\nSending: {when}"


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def recipients_now(locale: str, count: int) -> str:
    """The audience screen's last line, the count of recipients, in the officer's language."""
    text = tr(locale, AUDIENCE, area="", villages="", roles="", languages="", count=count)
    return plain(text).splitlines()[-1]


def recipients_line(locale: str, count: int) -> str:
    """The preview summary's count line, in the officer's language."""
    return plain(tr(locale, PREVIEW, languages="", count=count, when="")).splitlines()[1]


def report_lines(
    locale: str, id: int, total: int, sent: int, blocked: int = 0, failed: int = 0
) -> list[str]:
    """The announcement report at its end, exactly, in the officer's language."""
    return [
        plain(
            tr(
                locale,
                "<b>Announcement #{id}: {status}</b>",
                id=id,
                status=label(locale, "", "finished"),
            )
        ),
        tr(locale, "Delivered: {n} of {total}", n=sent, total=total),
        tr(locale, "Blocked the bot: {n}", n=blocked),
        tr(locale, "Failed after retries: {n}", n=failed),
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_announcement_reaches_each_in_their_language(
    app, person, emulator, sweep, db, locale
):
    await villager(person, 701, locale="id")
    await villager(person, 702, locale="jv", village="candirenggo")
    await villager(person, 703, locale="en", role="prospective")
    bu = await officer(app, person, 790, "kebumen", locale=locale)

    reply = await bu.say("/umumkan")
    sees(reply, locale, "<b>New announcement</b>")
    reply = await bu.say("Rapat warga hari Jumat pukul 19.00 di balai desa.")
    sees(reply, locale, "Add a photo? Send it now, or continue without one.")
    reply = await bu.tap(label(locale, "button", "No photo"))
    sees(reply, locale, "Add the announcement in other languages?")
    await bu.tap("Basa Jawa")
    reply = await bu.say("Rapat warga dinten Jumat jam 19.00 wonten ing balai desa.")
    assert "✓ Basa Jawa" in reply.buttons
    reply = await bu.tap(label(locale, "button", "Continue ▸"))
    sees(reply, locale, "<b>Who receives it?</b>")
    # everyone of the kabupaten, by default: the three villagers (not the officer)
    assert reply.text.splitlines()[-1] == recipients_now(locale, 3)
    reply = await bu.tap(label(locale, "button", "Continue ▸"))
    sees(reply, locale, "When should it go out?")
    reply = await bu.tap(label(locale, "button", "Send now"))
    # The preview is exactly what recipients get, one message per language version.
    assert body(reply.messages[0].text) == "Rapat warga hari Jumat pukul 19.00 di balai desa."
    assert (
        body(reply.messages[1].text) == "Rapat warga dinten Jumat jam 19.00 wonten ing balai desa."
    )
    sees(reply, locale, "<b>Preview above.</b>")
    reply = await bu.tap(label(locale, "button", "Send"))
    sees(reply, locale, "Announcement #{id} is being sent to {n} person.", id=1, n=3)
    announcement = (await db.scalars(select(Announcement))).one()
    announcement_id = announcement.id
    assert (announcement.status, announcement.total) == ("scheduled", 3)

    await sweep()
    assert received(emulator, 701)[-1] == "Rapat warga hari Jumat pukul 19.00 di balai desa."
    assert (
        received(emulator, 702)[-1] == "Rapat warga dinten Jumat jam 19.00 wonten ing balai desa."
    )
    assert (
        received(emulator, 703)[-1] == "Rapat warga hari Jumat pukul 19.00 di balai desa."
    )  # no en
    progress, report = received(emulator, 790)[-2:]
    assert progress.splitlines()[-1] == tr(
        locale,
        "{sent} of {total} delivered · {blocked} blocked the bot · {failed} failed",
        sent=3,
        total=3,
        blocked=0,
        failed=0,
    )
    assert report.splitlines() == report_lines(locale, announcement_id, total=3, sent=3)
    db.expire_all()
    rows = (await db.execute(select(Delivery.chat_id, Delivery.status).order_by("chat_id"))).all()
    assert [tuple(row) for row in rows] == [(701, "sent"), (702, "sent"), (703, "sent")]
    assert (await db.get(Announcement, announcement_id)).status == "done"


def first(locale, message, **values):
    from tests.transcript import first_line

    return first_line(locale, message, **values)


async def test_formatting_is_kept(app, person, emulator, sweep):
    await villager(person, 711)
    bu = await officer(app, person, 791, "jogosimo")
    await bu.say("/umumkan")
    # A real client sends bold text as an entity; the bot keeps it as Telegram HTML.
    payload = emulator.message_update(791, "Rapat PENTING besok")
    payload["message"]["entities"] = [{"type": "bold", "offset": 6, "length": 7}]
    from telegram import Update

    await bu.app.process_update(Update.de_json(payload, bu.app.bot))
    await bu.tap(label("id", "button", "No photo"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Send now"))
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    delivered = emulator.bot_messages(711)[-1]
    assert body(delivered.text) == "Rapat PENTING besok"
    assert body(delivered.source) == "Rapat <b>PENTING</b> besok"


async def test_text_that_looks_like_html_is_sent_literally(app, person, emulator, sweep):
    await villager(person, 712)
    bu = await officer(app, person, 792, "jogosimo")
    await announce(bu, "Harga <b>naik</b> & {name}")
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert body(emulator.bot_messages(712)[-1].text) == "Harga <b>naik</b> & {name}"


async def test_too_long_text_is_refused_with_the_count(app, person):
    bu = await officer(app, person, 793, "jogosimo")
    await bu.say("/umumkan")
    reply = await bu.say("a" * 5000)
    sees(
        reply,
        "id",
        "This text has {count} characters; an announcement can have at most {limit}.",
        count="5.000",
        limit="3.946",
    )
    sees(reply, "id", "<b>New announcement</b>")


async def test_photo_with_caption(app, person, emulator, sweep):
    await villager(person, 713)
    bu = await officer(app, person, 794, "jogosimo")
    await bu.say("/umumkan")
    payload = emulator.media_update(794, "photo")
    payload["message"]["caption"] = "Poster pelatihan"
    from telegram import Update

    await bu.app.process_update(Update.de_json(payload, bu.app.bot))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Send now"))
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    delivered = emulator.bot_messages(713)[-1]
    assert (delivered.media, body(delivered.text)) == ("photo", "Poster pelatihan")


async def test_photo_after_text(app, person, emulator, sweep):
    await villager(person, 714)
    bu = await officer(app, person, 795, "jogosimo")
    await bu.say("/umumkan")
    await bu.say("Lihat poster ini")
    reply = await bu.send("photo")
    sees(reply, "id", "Add the announcement in other languages?")
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Send now"))
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert emulator.bot_messages(714)[-1].media == "photo"


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_scheduled_announcement_arrives_at_its_time(
    app, person, emulator, clock, sweep, db, locale
):
    await villager(person, 715)
    bu = await officer(app, person, 796, "kebumen", locale=locale)
    # The clock stands at 1 December 2026, 09:00 WIB.
    reply = await announce(bu, "Pelatihan besok", locale=locale, when="nonsense")
    sees(reply, locale, "I could not read that date and time.")
    reply = await bu.say("30-11-2026 08:00")
    sees(reply, locale, "That time has already passed.")
    reply = await bu.say("02-12-2026 08:00")
    sees(reply, locale, "<b>Preview above.</b>")
    reply = await bu.tap(label(locale, "button", "Send"))
    assert "2 Desember 2026" in reply.text
    await sweep()
    assert "Pelatihan besok" not in [body(m.text) for m in emulator.bot_messages(715)]
    from datetime import timedelta

    clock.advance(timedelta(hours=22, minutes=59))
    await sweep()
    assert "Pelatihan besok" not in [body(m.text) for m in emulator.bot_messages(715)]
    clock.advance(timedelta(minutes=1))
    await sweep()
    assert body(emulator.bot_messages(715)[-1].text) == "Pelatihan besok"


async def test_time_zone_suffix(app, person, db):
    await villager(person, 716)
    bu = await officer(app, person, 797, "jogosimo")
    await announce(bu, "Info", when="02-12-2026 08:00 WITA")
    await bu.tap(label("id", "button", "Send"))
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.scheduled_at.isoformat() == "2026-12-02T00:00:00+00:00"


async def test_audience_narrowed_by_role_village_and_language(app, person, emulator, sweep, db):
    await villager(person, 721, role="family", village="jogosimo")
    await villager(person, 722, role="prospective", village="jogosimo")
    await villager(person, 723, role="family", village="candirenggo", locale="jv")
    await villager(person, 724, role="family", village="tanggulangin")
    bu = await officer(app, person, 798, "kebumen")
    reply = await announce(
        bu, "Untuk keluarga", roles=["family"], villages=["jogosimo", "candirenggo"]
    )
    sees(reply, "id", "<b>Preview above.</b>")
    assert recipients_line("id", 2) in reply.text.splitlines()
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    got = {
        chat
        for chat in (721, 722, 723, 724)
        if body(emulator.bot_messages(chat)[-1].text) == "Untuk keluarga"
    }
    assert got == {721, 723}


async def test_empty_audience_is_refused(app, person, db):
    await villager(person, 731, locale="id")
    bu = await officer(app, person, 799, "jogosimo")
    await bu.say("/umumkan")
    await bu.say("Halo")
    await bu.tap(label("id", "button", "No photo"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Choose languages"))
    await bu.tap("English")  # nobody speaks English here
    reply = await bu.tap(label("id", "button", "Done"))
    assert reply.text.splitlines()[-1] == recipients_now("id", 0)
    reply = await bu.tap(label("id", "button", "Continue ▸"))
    sees(reply, "id", "Nobody would receive this. Please widen the audience.")
    assert (await db.scalars(select(Announcement))).all() == []


async def test_edit_before_sending(app, person, emulator, sweep):
    await villager(person, 741)
    bu = await officer(app, person, 800, "jogosimo")
    await announce(bu, "Versi pertama")
    reply = await bu.tap(label("id", "button", "Edit"))
    sees(reply, "id", "What do you want to change?")
    await bu.tap(label("id", "button", "Text"))
    reply = await bu.say("Versi kedua")
    assert body(reply.messages[0].text) == "Versi kedua"
    sees(reply, "id", "<b>Preview above.</b>")
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert body(emulator.bot_messages(741)[-1].text) == "Versi kedua"


async def test_cancel_the_draft(app, person, db):
    await villager(person, 742)
    bu = await officer(app, person, 801, "jogosimo")
    await announce(bu, "Tidak jadi")
    reply = await bu.tap(label("id", "button", "Cancel"))
    sees(reply, "id", "The announcement was not sent.")
    assert (await db.scalars(select(Announcement))).all() == []


async def test_list_cancel_and_report(app, person, emulator, sweep, db, clock):
    await villager(person, 751)
    bu = await officer(app, person, 802, "jogosimo")
    await announce(bu, "Besok", when="05-12-2026 08:00")
    await bu.tap(label("id", "button", "Send"))
    await announce(bu, "Sekarang")
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    reply = await bu.say("/pengumuman")
    sees(reply, "id", "<b>Announcements</b>")
    assert label("id", "button", "Cancel #{id}", id=1) in reply.buttons
    assert label("id", "button", "Report #{id}", id=2) in reply.buttons
    reply = await bu.tap(label("id", "button", "Cancel #{id}", id=1))
    sees(reply, "id", "Announcement #{id} is cancelled; nothing was sent.", id=1)
    from datetime import timedelta

    clock.advance(timedelta(days=5))
    await sweep()
    assert "Besok" not in [body(m.text) for m in emulator.bot_messages(751)]
    reply = await bu.tap(label("id", "button", "Report #{id}", id=2))
    sees(
        reply,
        "id",
        "<b>Announcement #{id}: {status}</b>",
        id=2,
        status=label("id", "", "finished"),
    )
