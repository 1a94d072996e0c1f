"""A Javanese-speaking officer's announcements (issue 13): ``/pengumuman`` with its list,
cancelling a scheduled one and the delivery report with exact counts, and photo
announcements that arrive with the framed caption in each villager's language. The
dialog's own steps are tested in ``test_announce.py`` (their button rows may change)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram import Update

from storage.models import Announcement, Delivery
from tests.announcing import announce, body, officer, villager
from tests.transcript import label, sees, tr

JV_STOP = "Menawi boten kersa nampi wara-wara malih, sumangga ngintun /berhenti."
ID_STOP = "Untuk berhenti menerima pengumuman, kirim /berhenti."
BU = 1590


async def outcomes(db, announcement_id: int) -> dict[int, str]:
    db.expire_all()
    rows = await db.scalars(select(Delivery).where(Delivery.announcement_id == announcement_id))
    return {row.chat_id: row.status for row in rows.all()}


async def status_of(db, announcement_id: int) -> str:
    db.expire_all()
    return (await db.get(Announcement, announcement_id)).status


# --- /pengumuman -------------------------------------------------------------------------

LIST = (
    "Daftar wara-wara\n\n"
    "#2 · rampung · 1 Desember 2026, 09:00 · 4 panampi\nSapunika wonten rapat\n\n"
    "#1 · dipunjadwal · 5 Desember 2026, 08:00 · 4 panampi\nSesuk wonten pelatihan"
)
REPORT_2 = (
    "Wara-wara #2: rampung\n"
    "Kakintun: 2 saking 4\n"
    "Mblokir bot: 1\n"
    "Gagal sasampunipun dipuncobi malih: 1\n"
    "Sebabipun gagal:\n"
    "• Chat not found: 1"
)


async def test_list_cancel_and_report_in_javanese(app, person, emulator, sweep, db, clock):
    for user_id, locale in ((1501, "jv"), (1502, "id"), (1503, "jv"), (1504, "id")):
        await villager(person, user_id, locale=locale)
    emulator.block(1502)
    emulator.inject("bad_request", chat_id=1503, description="Bad Request: chat not found")
    bu = await officer(app, person, BU, "jogosimo", locale="jv")

    reply = await bu.say("/pengumuman")
    assert reply.text == "Dereng wonten wara-wara. Sumangga ngintun wara-wara mawi /umumkan."
    assert reply.buttons == ["« Menu"]

    await announce(bu, "Sesuk wonten pelatihan", locale="jv", when="05-12-2026 08:00")
    reply = await bu.tap(label("jv", "button", "Send"))
    assert reply.text == (
        "Wara-wara #1 dipunjadwal kangge 5 Desember 2026, 08:00 dhateng 4 tiyang. Lumantar "
        "/pengumuman panjenengan saged mirsani saha mbatalaken saderengipun wekdal menika."
    )
    await announce(bu, "Sapunika wonten rapat", locale="jv")
    reply = await bu.tap(label("jv", "button", "Send"))
    assert reply.text == (
        "Wara-wara #2 saweg dipunkintun dhateng 4 tiyang. Kemajenganipun katingal ing ngandhap."
    )
    await sweep()
    # The progress message, edited in place, ends with the counts; then the report.
    *_, progress, report = emulator.bot_messages(BU)
    assert progress.text == "2 saking 4 kakintun · 1 mblokir bot · 1 gagal"
    assert report.text == REPORT_2
    assert await outcomes(db, 2) == {1501: "sent", 1502: "blocked", 1503: "failed", 1504: "sent"}
    assert body(emulator.bot_messages(1501)[-1].text) == "Sapunika wonten rapat"

    reply = await bu.say("/pengumuman")
    assert reply.text == LIST
    assert reply.buttons == ["Laporan #2", "Batalaken #1", "Laporan #1", "« Menu"]
    reply = await bu.tap("Laporan #2")
    assert reply.text == REPORT_2
    assert reply.buttons == ["« Daftar wara-wara"]
    reply = await bu.tap("« Daftar wara-wara")
    assert reply.text == LIST

    reply = await bu.tap("Batalaken #1")
    assert reply.text == (
        "Wara-wara #1 dipunbatalaken; boten wonten ingkang dipunkintun.\n\n"
        + LIST.replace("#1 · dipunjadwal", "#1 · dipunbatalaken")
    )
    assert reply.buttons == ["Laporan #2", "Laporan #1", "« Menu"]
    assert await status_of(db, 1) == "cancelled"
    assert set((await outcomes(db, 1)).values()) == {"cancelled"}
    reply = await bu.tap("Laporan #1")
    assert reply.text == (
        "Wara-wara #1: dipunbatalaken\n"
        "Kakintun: 0 saking 4\n"
        "Mblokir bot: 0\n"
        "Gagal sasampunipun dipuncobi malih: 0\n"
        "Boten dipunkintun (dipunkendelaken, panampi boten kersa nampi wara-wara, utawi "
        "datanipun dipunbusak): 4"
    )
    # A second tap on the old Cancel button changes nothing, and says so.
    reply = await bu.press("anl:halt:1")
    sees(reply, "jv", "Announcement #{id} has already finished.", id=1)
    assert await status_of(db, 1) == "cancelled"

    clock.advance(timedelta(days=5))
    await sweep()
    for chat in (1501, 1504):
        assert "Sesuk wonten pelatihan" not in [body(m.text) for m in emulator.bot_messages(chat)]


async def test_another_officers_announcements_stay_theirs_in_javanese(
    app, person, emulator, sweep, db
):
    await villager(person, 1505, locale="jv")
    bu = await officer(app, person, BU, "jogosimo", locale="jv")
    await announce(bu, "Sesuk", locale="jv", when="05-12-2026 08:00")
    await bu.tap(label("jv", "button", "Send"))
    colleague = await officer(app, person, 1591, "jogosimo", locale="jv")
    reply = await colleague.say("/pengumuman")
    assert reply.text == "Dereng wonten wara-wara. Sumangga ngintun wara-wara mawi /umumkan."
    for data in ("anl:halt:1", "anl:rep:1"):
        reply = await colleague.press(data)
        assert reply.toast == tr("jv", "This button has expired.")
        sees(reply, "jv", "That button is no longer valid. Here is where we are:")
    assert await status_of(db, 1) == "scheduled"
    # A villager is told in Javanese that the list is for officers.
    warga = person(1505, language_code="jv")
    reply = await warga.say("/pengumuman")
    assert "Namung petugas ingkang saged ngintun wara-wara." in reply.text


# --- photo announcements -----------------------------------------------------------------


async def photo_with_caption(bu, emulator, caption: str):
    await bu.say("/umumkan")
    payload = emulator.media_update(bu.user_id, "photo", language_code="jv")
    payload["message"]["caption"] = caption
    await bu.app.process_update(Update.de_json(payload, bu.app.bot))


async def test_a_photo_announcement_arrives_with_the_javanese_frame(
    app, person, emulator, sweep, db
):
    await villager(person, 1511, locale="jv")
    await villager(person, 1512, locale="id")
    bu = await officer(app, person, BU, "jogosimo", locale="jv")
    await photo_with_caption(bu, emulator, "Poster pelatihan")
    asked = emulator.bot_messages(BU)[-1]
    assert asked.text.startswith("Badhe nambahaken wara-wara mawi basa sanes?")
    # A Javanese version of the caption, for the Javanese-speaking villagers.
    await bu.tap("Basa Jawa")
    await bu.say("Poster pelatihan Jemuwah")
    await bu.tap(label("jv", "button", "Continue ▸"))
    await bu.tap(label("jv", "button", "Continue ▸"))
    preview = await bu.tap(label("jv", "button", "Send now"))
    shown = [(m.text, emulator_media(emulator, BU, m.message_id)) for m in preview.messages]
    assert shown[:2] == [
        (f"📢 Petugas Desa Jogosimo\n\nPoster pelatihan\n\n{ID_STOP}", "photo"),
        (f"📢 Petugas Desa Jogosimo\n\nPoster pelatihan Jemuwah\n\n{JV_STOP}", "photo"),
    ]
    sees(preview, "jv", "<b>Preview above.</b>")
    reply = await bu.tap(label("jv", "button", "Send"))
    sees(reply, "jv", "Announcement #{id} is being sent to {n} person.", id=1, n=2)
    await sweep()

    javanese = emulator.bot_messages(1511)[-1]
    assert javanese.media == "photo"
    assert javanese.text == f"📢 Petugas Desa Jogosimo\n\nPoster pelatihan Jemuwah\n\n{JV_STOP}"
    assert javanese.source == (
        f"<b>📢 Petugas Desa Jogosimo</b>\n\nPoster pelatihan Jemuwah\n\n<i>{JV_STOP}</i>"
    )
    indonesian = emulator.bot_messages(1512)[-1]
    assert (indonesian.media, indonesian.text) == (
        "photo",
        f"📢 Petugas Desa Jogosimo\n\nPoster pelatihan\n\n{ID_STOP}",
    )
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.texts == {"id": "Poster pelatihan", "jv": "Poster pelatihan Jemuwah"}
    assert await outcomes(db, announcement.id) == {1511: "sent", 1512: "sent"}


def emulator_media(emulator, chat_id: int, message_id: int) -> str | None:
    [message] = [m for m in emulator.bot_messages(chat_id) if m.message_id == message_id]
    return message.media


async def test_a_photo_after_the_text_carries_it_as_the_javanese_caption(
    app, person, emulator, sweep, db
):
    await villager(person, 1513, locale="jv")
    bu = await officer(app, person, BU, "kebumen", locale="jv")
    await bu.say("/umumkan")
    reply = await bu.say("Pendaftaran pelatihan dibuka")
    sees(reply, "jv", "Add a photo? Send it now, or continue without one.")
    reply = await bu.send("photo")
    sees(reply, "jv", "Add the announcement in other languages?")
    await bu.tap("Basa Jawa")
    await bu.say("Pendaftaran pelatihan sampun dipunbikak")
    await bu.tap(label("jv", "button", "Continue ▸"))
    await bu.tap(label("jv", "button", "Continue ▸"))
    await bu.tap(label("jv", "button", "Send now"))
    await bu.tap(label("jv", "button", "Send"))
    await sweep()
    delivered = emulator.bot_messages(1513)[-1]
    assert delivered.media == "photo"
    assert delivered.text == (
        f"📢 Petugas Kabupaten Kebumen\n\nPendaftaran pelatihan sampun dipunbikak\n\n{JV_STOP}"
    )
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.photo == "p1"  # the file the officer sent


async def test_stop_a_running_announcement_in_javanese(app, person, emulator, sweep, db, clock):
    await villager(person, 1521, locale="jv")
    await villager(person, 1522, locale="jv")
    # One chat answers 502 once: its message waits for a retry, the announcement runs on.
    emulator.inject("server_error", chat_id=1522, count=1, methods=["sendMessage"])
    bu = await officer(app, person, BU, "jogosimo", locale="jv")
    await announce(bu, "Rapat dipunundur", locale="jv")
    await bu.tap(label("jv", "button", "Send"))
    await sweep()
    assert await status_of(db, 1) == "running"
    assert await outcomes(db, 1) == {1521: "sent", 1522: "pending"}

    reply = await bu.say("/pengumuman")
    assert reply.text == (
        "Daftar wara-wara\n\n#1 · saweg dipunkintun · 1 Desember 2026, 09:00 · 2 panampi\n"
        "Rapat dipunundur"
    )
    assert reply.buttons == ["Kendelaken #1", "Laporan #1", "« Menu"]
    reply = await bu.tap("Kendelaken #1")
    assert reply.text == (
        "Wara-wara #1 dipunkendelaken; boten wonten ingkang badhe dipunkintun malih.\n\n"
        "Daftar wara-wara\n\n#1 · dipunkendelaken · 1 Desember 2026, 09:00 · 2 panampi\n"
        "Rapat dipunundur"
    )
    assert reply.buttons == ["Laporan #1", "« Menu"]
    assert await status_of(db, 1) == "stopped"
    assert await outcomes(db, 1) == {1521: "sent", 1522: "cancelled"}
    clock.advance(timedelta(hours=1))
    await sweep()
    assert "Rapat dipunundur" not in [body(m.text) for m in emulator.bot_messages(1522)]
    reply = await bu.tap("Laporan #1")
    assert reply.text == (
        "Wara-wara #1: dipunkendelaken\n"
        "Kakintun: 1 saking 2\n"
        "Mblokir bot: 0\n"
        "Gagal sasampunipun dipuncobi malih: 0\n"
        "Boten dipunkintun (dipunkendelaken, panampi boten kersa nampi wara-wara, utawi "
        "datanipun dipunbusak): 1"
    )
