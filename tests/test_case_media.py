"""A requester's photos, voice notes and documents reach the officers as media (issue 13):
the files sent with a new request follow the new-case notice, each with the case's
reference in its caption, through the delivery engine; files added later through /status
go out as what they are; the case page counts every file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.simulator import Person
from storage.models import Delivery, HelpRequest
from tests.announcing import officer, villager
from tests.helping import ask_for_help
from tests.sweeping import sweeper
from tests.transcript import label, sees, tr

REQUESTER, BU, BU2, ELSEWHERE = 1901, 1980, 1982, 1981
GROUP = -100777
FILES = ("photo", "photo", "voice")
CAPTIONS = {
    "id": [
        "DM-2026-000001: foto 1 dari 2",
        "DM-2026-000001: foto 2 dari 2",
        "DM-2026-000001: pesan suara 1 dari 1",
    ],
    "jv": [
        "DM-2026-000001: foto 1 saking 2",
        "DM-2026-000001: foto 2 saking 2",
        "DM-2026-000001: pesen swanten 1 saking 1",
    ],
}
FIRST_FILES = {"id": "Lampiran: 2 foto, 1 pesan suara", "jv": "Lampiran: 2 foto, 1 pesen swanten"}
FILE_LINES = {
    "id": ["Lampiran: 2 foto, 2 pesan suara, 1 dokumen", "Lampiran dari petugas: 1 foto"],
    "jv": ["Lampiran: 2 foto, 2 pesen swanten, 1 dokumen", "Lampiran saking petugas: 1 foto"],
}


def _calls_to(emulator, chat_id: int) -> list[tuple[str, str | None, str | None]]:
    """(method, file id, caption) of every message the bot sent to ``chat_id`` (that
    Telegram accepted)."""
    return [
        (
            call.method,
            call.params.get("photo") or call.params.get("voice") or call.params.get("document"),
            call.params.get("caption"),
        )
        for call in emulator.calls
        if call.method.startswith("send")
        and call.outcome == "ok"
        and str(call.params.get("chat_id")) == str(chat_id)
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_files_of_a_new_request_follow_the_notice_with_the_reference(
    settings, emulator, clock, db, locale
):
    settings = settings.model_copy(update={"officer_groups": {"jogosimo": GROUP}})
    emulator.open_chat(GROUP, chat_type="supergroup", title="Petugas Jogosimo")
    application = build_application(settings, request=emulator, clock=clock)
    async with application:

        def person(user_id, language_code="id"):
            return Person(application, emulator, user_id, language_code=language_code)

        sweep = sweeper(application)

        await officer(application, person, BU, "jogosimo", locale=locale)
        await officer(application, person, BU2, "jogosimo", locale="en")
        await officer(application, person, ELSEWHERE, "tanggulangin", locale=locale)
        requester = await villager(person, REQUESTER, locale=locale)
        before = {chat: len(_calls_to(emulator, chat)) for chat in (BU, BU2, ELSEWHERE, GROUP)}
        await ask_for_help(requester, locale=locale, files=FILES)
        case = (await db.scalars(select(HelpRequest))).one()
        assert [a["kind"] for a in case.attachments] == list(FILES)
        await sweep()

        for chat, chat_locale in ((BU, locale), (BU2, "en")):
            calls = _calls_to(emulator, chat)[before[chat] :]
            assert [method for method, _file, _caption in calls] == [
                "sendMessage",
                "sendPhoto",
                "sendPhoto",
                "sendVoice",
            ]
            assert [file for _method, file, _caption in calls[1:]] == ["p1", "p1", "v1"]
            notice, *media = emulator.bot_messages(chat)[-4:]
            sees(notice, chat_locale, "🆘 <b>New help request</b>")
            assert [m.media for m in media] == ["photo", "photo", "voice"]
            captions = CAPTIONS.get(chat_locale) or [
                "DM-2026-000001: photo 1 of 2",
                "DM-2026-000001: photo 2 of 2",
                "DM-2026-000001: voice note 1 of 1",
            ]
            assert [m.text for m in media] == captions
        # The group hears of the request, never its files; another village, nothing.
        assert [m for m, _f, _c in _calls_to(emulator, GROUP)[before[GROUP] :]] == ["sendMessage"]
        assert _calls_to(emulator, ELSEWHERE)[before[ELSEWHERE] :] == []
        rows = (await db.scalars(select(Delivery).where(Delivery.kind == "case_notice"))).all()
        files = [(d.chat_id, d.payload["file"], d.status) for d in rows if "file" in d.payload]
        assert sorted(files) == [(BU, i, "sent") for i in range(3)] + [
            (BU2, i, "sent") for i in range(3)
        ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_files_are_retried_and_blocked_like_every_notice(
    app, person, emulator, sweep, clock, db, locale
):
    await officer(app, person, BU, "jogosimo", locale=locale)
    await officer(app, person, BU2, "jogosimo", locale=locale)
    emulator.block(BU)
    emulator.inject("server_error", chat_id=BU2, methods=["sendDocument"], count=1)
    requester = await villager(person, REQUESTER, locale=locale)
    await ask_for_help(requester, locale=locale, files=("document",))
    await sweep()

    async def outcome() -> list[tuple[int, str, str]]:
        db.expire_all()
        rows = await db.scalars(select(Delivery).where(Delivery.kind == "case_notice"))
        return sorted(
            (d.chat_id, "file" if "file" in d.payload else "notice", d.status) for d in rows
        )

    assert await outcome() == [
        (BU, "file", "blocked"),
        (BU, "notice", "blocked"),
        (BU2, "file", "pending"),  # a 5xx: tried again later
        (BU2, "notice", "sent"),
    ]
    clock.advance(timedelta(seconds=30))
    await sweep()
    assert (await outcome())[2] == (BU2, "file", "sent")
    assert [m for m, _f, _c in _calls_to(emulator, BU2)][-2:] == ["sendMessage", "sendDocument"]
    assert emulator.bot_messages(BU2)[-1].text == (
        "DM-2026-000001: dokumen 1 dari 1"
        if locale == "id"
        else "DM-2026-000001: dokumen 1 saking 1"
    )


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_case_page_counts_every_file_and_later_voice_notes_arrive_as_voice(
    app, person, emulator, sweep, db, locale
):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    requester = await villager(person, REQUESTER, locale=locale)
    await ask_for_help(requester, locale=locale, files=FILES)
    await sweep()
    await bu.press("cs:claim:1")
    reply = await bu.press("cs:v:1")
    files_line = tr(locale, "Files: {files}", files="").rstrip()
    assert [line for line in reply.text.splitlines() if line.startswith(files_line)] == [
        FIRST_FILES[locale]
    ]

    # Later: the requester adds a voice note and a document; the officer writes with a photo.
    await requester.say("/status")
    await requester.tap("DM-2026-000001")
    await requester.tap(label(locale, "button", "➕ Add information"))
    seen_by_officer = len(_calls_to(emulator, BU))
    await requester.send("voice")
    await requester.send("document")
    await sweep()
    calls = _calls_to(emulator, BU)[seen_by_officer:]
    assert [(method, file) for method, file, _caption in calls] == [
        ("sendVoice", "v1"),
        ("sendDocument", "d1"),
    ]
    for _method, _file, caption in calls:
        assert caption is not None
        assert "DM-2026-000001" in caption
        assert caption.startswith(tr(locale, "💬 <b>The requester wrote:</b>"))
    await bu.press("cs:w:1")
    await bu.send("photo")

    reply = await bu.press("cs:v:1")
    lines = reply.text.splitlines()
    officers_line = tr(locale, "Files from officers: {files}", files="").rstrip()
    shown = [line for line in lines if line.startswith((files_line, officers_line))]
    assert shown == FILE_LINES[locale]
