"""An announcement says who sent it and how to stop announcements (so it is no scam)."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.announcement_text import framed
from bot.context import services_of
from bot.services.announcements import MAX_CAPTION, MAX_TEXT
from bot.telegram_html import html_to_plain, telegram_length
from tests.announcing import announce, officer, villager
from tests.transcript import label

ID_STOP = "Untuk berhenti menerima pengumuman, kirim /berhenti."
JV_STOP = "Menawi boten kersa nampi wara-wara malih, sumangga ngintun /berhenti."


@pytest.mark.parametrize(
    ("area", "sender"),
    [("jogosimo", "Petugas Desa Jogosimo"), ("kebumen", "Petugas Kabupaten Kebumen")],
)
async def test_text_says_who_sent_it_in_id_and_jv(app, person, emulator, sweep, area, sender):
    await villager(person, 1301, locale="id")
    await villager(person, 1302, locale="jv")
    bu = await officer(app, person, 1390, area)
    preview = await announce(bu, "Rapat warga Jumat", versions={"jv": "Rapat warga Jemuwah"})
    expected_id = f"📢 {sender}\n\nRapat warga Jumat\n\n{ID_STOP}"
    expected_jv = f"📢 {sender}\n\nRapat warga Jemuwah\n\n{JV_STOP}"
    # The officer's preview shows each version exactly as it arrives.
    assert [m.text for m in preview.messages[:2]] == [expected_id, expected_jv]
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert emulator.bot_messages(1301)[-1].text == expected_id
    assert emulator.bot_messages(1302)[-1].text == expected_jv
    assert emulator.bot_messages(1301)[-1].source == (
        f"<b>📢 {sender}</b>\n\nRapat warga Jumat\n\n<i>{ID_STOP}</i>"
    )


async def _photo_announcement(bu, emulator, caption: str) -> None:
    await bu.say("/umumkan")
    payload = emulator.media_update(bu.user_id, "photo")
    payload["message"]["caption"] = caption
    await bu.app.process_update(Update.de_json(payload, bu.app.bot))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Send now"))
    await bu.tap(label("id", "button", "Send"))


async def test_photo_caption_says_who_sent_it_in_id_and_jv(app, person, emulator, sweep):
    await villager(person, 1303, locale="id")
    await villager(person, 1304, locale="jv")
    bu = await officer(app, person, 1391, "jogosimo")
    await _photo_announcement(bu, emulator, "Poster pelatihan")
    await sweep()
    for chat, stop in ((1303, ID_STOP), (1304, JV_STOP)):
        delivered = emulator.bot_messages(chat)[-1]
        assert delivered.media == "photo"
        assert delivered.text == f"📢 Petugas Desa Jogosimo\n\nPoster pelatihan\n\n{stop}"


async def test_an_admins_announcement_is_signed_desmigratif(app, person, emulator, sweep):
    await villager(person, 1305, locale="jv")
    admin = await villager(person, 900)
    await announce(admin, "Untuk semua")
    await admin.tap(label("id", "button", "Send"))
    await sweep()
    assert emulator.bot_messages(1305)[-1].text == f"📢 Desmigratif\n\nUntuk semua\n\n{JV_STOP}"


async def test_text_at_the_maximum_length_still_goes_out(app, person, emulator, sweep):
    await villager(person, 1306, locale="jv")
    bu = await officer(app, person, 1392, "kebumen")
    longest = "a" * MAX_TEXT
    await announce(bu, longest)
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    delivered = emulator.bot_messages(1306)[-1]
    assert delivered.text == f"📢 Petugas Kabupaten Kebumen\n\n{longest}\n\n{JV_STOP}"
    # One character more is refused, with the limit the officer may use.
    await bu.say("/umumkan")
    reply = await bu.say("a" * (MAX_TEXT + 1))
    assert f"paling banyak {MAX_TEXT:,}".replace(",", ".") in reply.text


async def test_caption_at_the_maximum_length_still_goes_out(app, person, emulator, sweep):
    await villager(person, 1307, locale="jv")
    bu = await officer(app, person, 1393, "kebumen")
    longest = "b" * MAX_CAPTION
    await _photo_announcement(bu, emulator, longest)
    await sweep()
    delivered = emulator.bot_messages(1307)[-1]
    assert delivered.text == f"📢 Petugas Kabupaten Kebumen\n\n{longest}\n\n{JV_STOP}"


async def test_every_office_and_language_fits_the_room_kept(app):
    services = services_of(app)
    areas = [None, *services.villages.area_ids]
    longest = 0
    for _ in services.i18n.all().values():
        for area in areas:
            longest = max(longest, telegram_length(html_to_plain(framed(_, services, area, ""))))
    assert 4096 - MAX_TEXT == 1024 - MAX_CAPTION >= longest
