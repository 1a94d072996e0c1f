"""A Javanese-speaking officer (issue 13): the officer menu and where each of its buttons
leads, the statistics page with exact counts, and the officers' group notice in the
group's language. The announcements and cases of officers are in
``test_jv_officer_announcements.py`` and ``test_jv_officer_cases.py``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_application
from bot.context import services_of
from bot.simulator import Person
from storage.models import HelpRequest, JobCheck, QuizAnswer, QuizRound, User
from tests.announcing import officer, villager
from tests.helping import ask_for_help, cases_of
from tests.people import person as known
from tests.people import row_of
from tests.sweeping import sweeper
from tests.test_officer_cases import Inbox, data_of, deliver
from tests.transcript import label, sees, tr

MENU = {
    "id": "Menu petugas\nWilayah Anda: Jogosimo (Klirong, Kebumen)",
    "jv": "Menu petugas\nWilayah panjenengan: Jogosimo (Klirong, Kebumen)",
}
MENU_BUTTONS = {
    "id": [
        "🗂 Permintaan bantuan",
        "📢 Pengumuman baru",
        "📋 Daftar pengumuman",
        "📊 Statistik kuis dan cek kerja",
        "« Menu",
    ],
    "jv": [
        "🗂 Panyuwunan pitulungan",
        "📢 Wara-wara enggal",
        "📋 Daftar wara-wara",
        "📊 Statistik kuis, cek kerja",
        "« Menu",
    ],
}


async def officer_menu(p, locale: str):
    await p.say("/menu")
    return await p.tap(label(locale, "menu", "🛡 Officer menu"))


# --- the officer menu -------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_officer_menu_and_where_its_buttons_lead(app, person, db, locale):
    bu = await officer(app, person, 1501, "jogosimo", locale=locale)
    reply = await officer_menu(bu, locale)
    assert reply.text == MENU[locale]
    assert reply.buttons == MENU_BUTTONS[locale]

    reply = await bu.tap(MENU_BUTTONS[locale][0])
    sees(reply, locale, "<b>🗂 Help requests</b>")
    sees(reply, locale, "Nothing waiting. Thank you!")
    await officer_menu(bu, locale)
    reply = await bu.tap(MENU_BUTTONS[locale][1])
    sees(reply, locale, "<b>New announcement</b>")
    db.expire_all()
    user = await row_of(db, User, 1501)
    assert (user.dialog, user.step) == ("announce", "text")
    await bu.say("/batal")
    await officer_menu(bu, locale)
    reply = await bu.tap(MENU_BUTTONS[locale][2])
    assert (
        reply.text
        == {
            "id": "Belum ada pengumuman. Kirim pengumuman dengan /umumkan.",
            "jv": "Dereng wonten wara-wara. Sumangga ngintun wara-wara mawi /umumkan.",
        }[locale]
    )
    await officer_menu(bu, locale)
    reply = await bu.tap(MENU_BUTTONS[locale][3])
    sees(
        reply,
        locale,
        "<b>📊 Statistics: {area}, last {days} days</b>",
        area="Jogosimo (Klirong, Kebumen)",
        days=30,
    )
    reply = await bu.tap(label(locale, "button", "« Menu"))
    assert reply.text.splitlines()[0] == {"id": "Menu utama", "jv": "Menu utama"}[locale]
    assert label(locale, "menu", "🛡 Officer menu") in reply.buttons


async def test_an_admins_officer_menu_in_javanese(person):
    admin = await villager(person, 900, locale="jv")
    reply = await officer_menu(admin, "jv")
    assert reply.text == (
        "Menu petugas\nPanjenengan admin: panjenengan saged nambahaken saha nyabut peran petugas."
    )
    assert reply.buttons == [*MENU_BUTTONS["jv"][:4], "Daftar petugas", "« Menu"]
    reply = await admin.tap("Daftar petugas")
    sees(reply, "jv", "There are no officers yet.")
    assert "Dereng wonten petugas." in reply.text


async def test_a_villager_cannot_open_the_officer_menu_in_javanese(person):
    warga = await villager(person, 1502, locale="jv")
    reply = await warga.say("/menu")
    assert label("jv", "menu", "🛡 Officer menu") not in reply.buttons
    for data in ("menu:officer", "st:30"):
        reply = await warga.press(data)
        assert reply.toast == tr("jv", "This button has expired.")
        sees(reply, "jv", "That button is no longer valid. Here is where we are:")
        assert "Statistik" not in reply.text
        assert "Menu petugas" not in reply.text


# --- statistics -------------------------------------------------------------------------


async def seed(app, db, clock) -> list[str]:
    """Quiz rounds and job checks in and out of Jogosimo and of the period; the ids of the
    two questions missed most (twice and once)."""
    now = clock.now()
    old = now - timedelta(days=60)

    def finished(person_id, village, score, when=now):
        return QuizRound(
            person_id=person_id,
            village_id=village,
            question_ids=["a"] * 10,
            started_at=when,
            finished_at=when,
            score=score,
        )

    rounds = [
        finished(1, "jogosimo", 6),
        finished(1, "jogosimo", 8),  # the same person twice: one person, two rounds
        finished(None, "jogosimo", 9),  # declined data processing: counted as one person
        finished(4, "jogosimo", 1, old),  # only in the 90 days
        finished(3, "candirenggo", 10),  # another village
        QuizRound(  # started, never finished: not counted
            person_id=5, village_id="jogosimo", question_ids=["a"] * 10, started_at=now
        ),
    ]
    db.add_all(rounds)
    await db.flush()
    missed = list(services_of(app).quiz.questions)[:3]
    answers = [
        (rounds[0], missed[0], False),
        (rounds[1], missed[0], False),
        (rounds[1], missed[1], False),
        (rounds[2], missed[2], True),
        (rounds[4], missed[2], False),  # Candirenggo's: not Jogosimo's statistics
    ]
    db.add_all(
        QuizAnswer(round_id=r.id, question_id=q, answer_id="a", correct=ok, answered_at=now)
        for r, q, ok in answers
    )

    def check(village, level, when=now):
        return JobCheck(
            person_id=1, village_id=village, level=level, flags=[], answers={}, created_at=when
        )

    db.add_all(
        [
            check("jogosimo", "stop"),
            check("jogosimo", "high"),
            check("jogosimo", "high"),
            check("jogosimo", "low"),
            check("jogosimo", "stop", old),
            check("candirenggo", "high"),
            check(None, "stop"),
        ]
    )
    await db.commit()
    return missed[:2]


def missed_line(question_id: str, app, times: int) -> str:
    question = services_of(app).quiz.questions[question_id]
    text = " ".join(tr("jv", question.text).split())
    assert text != " ".join(question.text.split())  # the question is shown in Javanese
    short = text if len(text) <= 90 else text[:89] + "…"
    return f"• {short} ({times}×)"


async def test_statistics_in_javanese_with_exact_counts(app, person, db, clock):
    missed = await seed(app, db, clock)
    bu = await officer(app, person, 1503, "jogosimo", locale="jv")
    await officer_menu(bu, "jv")
    reply = await bu.tap("📊 Statistik kuis, cek kerja")
    assert reply.text == "\n".join(
        [
            "📊 Statistik: Jogosimo (Klirong, Kebumen), 30 dinten pungkasan",
            "Tiyang ingkang sampun ngrampungaken kuis: 2",
            "Babak ingkang sampun rampung: 3",
            "Biji rata-rata: 7,7 saking 10",
            "Ingkang paling asring lepat:",
            missed_line(missed[0], app, 2),
            missed_line(missed[1], app, 1),
            "Pamriksan tawaran padamelan (risiko inggil / kedah kendel):",
            "• Jogosimo: 2 risiko inggil, 1 kedah kendel, saking 4",
        ]
    )
    assert reply.buttons == ["7 dinten", "30 dinten", "90 dinten", "365 dinten", "« Menu"]

    reply = await bu.tap("90 dinten")
    assert reply.text.splitlines()[:4] == [
        "📊 Statistik: Jogosimo (Klirong, Kebumen), 90 dinten pungkasan",
        "Tiyang ingkang sampun ngrampungaken kuis: 3",
        "Babak ingkang sampun rampung: 4",
        "Biji rata-rata: 6 saking 10",
    ]
    assert reply.text.endswith("• Jogosimo: 2 risiko inggil, 2 kedah kendel, saking 5")

    # A period nobody could choose is refused, in Javanese.
    reply = await bu.press("st:31")
    assert reply.toast == tr("jv", "This button has expired.")


async def test_statistics_of_all_areas_for_an_admin_in_javanese(app, person, db, clock):
    await seed(app, db, clock)
    admin = await villager(person, 900, locale="jv")
    await officer_menu(admin, "jv")
    reply = await admin.tap("📊 Statistik kuis, cek kerja")
    lines = reply.text.splitlines()
    assert lines[:4] == [
        "📊 Statistik: sedaya wilayah, 30 dinten pungkasan",
        "Tiyang ingkang sampun ngrampungaken kuis: 3",
        "Babak ingkang sampun rampung: 4",
        "Biji rata-rata: 8,2 saking 10",
    ]
    assert lines[-4:] == [
        "Pamriksan tawaran padamelan (risiko inggil / kedah kendel):",
        "• desa sanes: 0 risiko inggil, 1 kedah kendel, saking 1",
        "• Candirenggo: 1 risiko inggil, 0 kedah kendel, saking 1",
        "• Jogosimo: 2 risiko inggil, 1 kedah kendel, saking 4",
    ]


async def test_statistics_with_nothing_to_count_in_javanese(app, person):
    bu = await officer(app, person, 1504, "kebumen", locale="jv")
    await officer_menu(bu, "jv")
    reply = await bu.tap("📊 Statistik kuis, cek kerja")
    assert reply.text == "\n".join(
        [
            "📊 Statistik: Kabupaten Kebumen, 30 dinten pungkasan",
            "Tiyang ingkang sampun ngrampungaken kuis: 0",
            "Babak ingkang sampun rampung: 0",
            "Biji rata-rata: – saking 10",
            "Pamriksan tawaran padamelan (risiko inggil / kedah kendel):",
            "boten wonten",
        ]
    )


# --- the officers' group chat -------------------------------------------------------------

JOGOSIMO_GROUP, KEBUMEN_GROUP = -100201, -100202
GROUP_NOTICE = {
    "jv": (
        "🆘 Panyuwunan pitulungan enggal\n"
        "DM-2026-000001 · 🚨 DARURAT · 🤕 Kekerasan utawi panganiaya\n"
        "Desa: Jogosimo (Klirong, Kebumen)"
    ),
    "id": (
        "🆘 Permintaan bantuan baru\n"
        "DM-2026-000001 · 🚨 MENDESAK · 🤕 Kekerasan atau penganiayaan\n"
        "Desa: Jogosimo (Klirong, Kebumen)"
    ),
}


@pytest.mark.parametrize("group_locale", ["jv", "id"])
async def test_the_officers_group_is_told_in_the_groups_language(
    settings, emulator, clock, db, group_locale
):
    """The groups speak the bot's default language (``DEFAULT_LOCALE``); each officer
    reads their own notices in Javanese. The groups never see who asked or what
    happened."""
    settings = settings.model_copy(
        update={
            "officer_groups": {"jogosimo": JOGOSIMO_GROUP, "kebumen": KEBUMEN_GROUP},
            "default_locale": group_locale,
        }
    )
    for chat, title in ((JOGOSIMO_GROUP, "Petugas Jogosimo"), (KEBUMEN_GROUP, "Disnaker")):
        emulator.open_chat(chat, chat_type="supergroup", title=title)
    application = build_application(settings, request=emulator, clock=clock)
    async with application:

        def person(user_id, language_code="id"):
            return Person(application, emulator, user_id, language_code=language_code)

        sweep = sweeper(application)

        await officer(application, person, 1510, "jogosimo", locale="jv")
        kab = await officer(application, person, 1511, "kebumen", locale="jv")
        warga = await villager(person, 1512, locale="id")
        inboxes = [Inbox(emulator, chat) for chat in (JOGOSIMO_GROUP, KEBUMEN_GROUP, 1510)]
        await ask_for_help(warga, locale="id", category="violence")
        [new], nothing, [private] = await deliver(sweep, *inboxes)
        [case] = await cases_of(db, await known(db, 1512))
        case_id = case.id
        assert case.reference == "DM-2026-000001"
        assert new.text == GROUP_NOTICE[group_locale]
        link = f"https://t.me/{emulator.bot['username']}?start=case_{case_id}"
        assert [(b.text, b.url) for row in new.buttons for b in row] == [
            (label(group_locale, "button", "📂 Open in private chat"), link)
        ]
        assert nothing == []  # the village has an officer: the district's group waits
        # The officer's own notice is in Javanese, with what the group may not see.
        assert private.text.startswith(GROUP_NOTICE["jv"] + "\n")
        assert "Siti Aminah" in private.text
        for secret in ("Siti Aminah", "0812", "Sudah tiga minggu", "1512"):
            assert secret not in new.text

        clock.advance(timedelta(minutes=30))
        [realert], nothing, [to_officer] = await deliver(sweep, *inboxes)
        first = {
            "jv": "⏰ Dereng wonten ingkang nangani sasampunipun 30 menit: sumangga dipuntangani "
            "panyuwunan darurat menika.",
            "id": "⏰ Belum diambil setelah 30 menit: mohon ambil permintaan mendesak ini.",
        }
        assert realert.text.splitlines()[0] == first[group_locale]
        assert to_officer.text.splitlines()[0] == first["jv"]
        assert nothing == []

        clock.advance(timedelta(minutes=90))
        [], [escalated], [] = await deliver(sweep, *inboxes)
        assert escalated.text == "\n".join(
            [
                {
                    "jv": "⬆️ Dipunaturaken dhateng petugas kabupaten",
                    "id": "⬆️ Diteruskan ke petugas kabupaten",
                }[group_locale],
                GROUP_NOTICE[group_locale].splitlines()[1],
                GROUP_NOTICE[group_locale].splitlines()[2],
                tr(group_locale, "⬆️ Escalated to the district"),
            ]
        )
        assert "Siti Aminah" not in escalated.text
        reply = await kab.say(f"/start case_{case_id}")
        assert "Ingkang nangani: dereng wonten" in reply.text
        assert label("jv", "button", "🙋 Claim") in reply.buttons
    db.expire_all()
    stored = await db.get(HelpRequest, case_id)
    assert (stored.level, stored.status) == ("district", "new")
    assert data_of(new) == {label(group_locale, "button", "📂 Open in private chat"): link}
