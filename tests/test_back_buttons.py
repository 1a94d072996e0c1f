"""« Back in the job check, the checklist set-up and the announcement dialog: one step back,
the answers kept (marked ✔️, or offered to keep), going forward again, stale and forged Back
buttons; and changing one answer of the checklist (the departure date) without walking
through the others, keeping the ticks and moving the reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.content.job_offer import load_job_offer
from storage.models import Announcement, Checklist, ChecklistMark, Delivery, JobCheck
from tests.announcing import LANGUAGE, officer, villager
from tests.people import person as known
from tests.test_checklist import SCHEME, set_up
from tests.transcript import label, sees

OFFER = load_job_offer()
BACK = {"id": "« Kembali", "jv": "« Wangsul"}
SO_FAR = {"id": "Jawaban Anda tadi: {}", "jv": "Wangsulan panjenengan wau: {}"}
KEEP = {"id": "Tetap: {} ▶️", "jv": "Tetep: {} ▶️"}
EXPIRED = {
    "id": "Tombol itu sudah tidak berlaku. Kita lanjutkan dari sini:",
    "jv": "Tombol menika sampun boten laku. Kita lajengaken saking ngriki:",
}
CHANGE = {"id": "Apa yang ingin Anda ubah?", "jv": "Menapa ingkang badhe panjenengan ewahi?"}
CHANGED = {
    "id": "Sudah diubah. Daftar persiapan dan pengingat mengikuti jawaban baru Anda.",
    "jv": "Sampun dipungantos. Daftar persiapan saha pangeling-eling ndherek wangsulan enggal "
    "panjenengan.",
}


def options(locale: str, index: int, chosen: str | None = None) -> list[str]:
    """The answer buttons of question ``index``, the one answered ``chosen`` marked ✔️."""
    question = OFFER.questions[index]
    return [
        ("✔️ " if option.id == chosen else "") + label(locale, "", option.text)
        for option in question.options
    ]


def heading(locale: str, index: int) -> str:
    return (
        label(
            locale,
            "",
            "<b>🔎 Job offer check</b> ({n} / {total})",
            n=index + 1,
            total=len(OFFER.questions),
        )
        .replace("<b>", "")
        .replace("</b>", "")
    )


# --- job check ------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_job_check_back_keeps_the_answers(person, db, locale):
    p = await villager(person, 4101, locale=locale, role="prospective")
    q0, q1, q2 = OFFER.questions[:3]
    reply = await p.say("/cekkerja")
    assert reply.buttons == options(locale, 0)  # the first question: no Back
    first, other = q0.options[0].id, q0.options[1].id
    await p.tap(label(locale, "", q0.options[0].text))
    reply = await p.tap(label(locale, "", q1.options[0].text))
    assert reply.text.startswith(heading(locale, 2))
    assert reply.buttons == [*options(locale, 2), BACK[locale]]
    # Back on question 3: question 2, its answer marked.
    reply = await p.tap(BACK[locale])
    assert reply.text.startswith(heading(locale, 1))
    assert label(locale, "", q1.text) in reply.text
    assert reply.buttons == [*options(locale, 1, q1.options[0].id), BACK[locale]]
    reply = await p.tap(BACK[locale])
    assert reply.text.startswith(heading(locale, 0))
    assert reply.buttons == options(locale, 0, first)
    # Answering again replaces the answer; the later one stays marked.
    reply = await p.tap(label(locale, "", q0.options[1].text))
    assert reply.buttons == [*options(locale, 1, q1.options[0].id), BACK[locale]]
    assert (await db.scalars(select(JobCheck))).all() == []
    reply = await p.tap("✔️ " + label(locale, "", q1.options[0].text))
    assert reply.text.startswith(heading(locale, 2))
    assert reply.buttons == [*options(locale, 2), BACK[locale]]
    answers = {q0.id: other, q1.id: q1.options[0].id, q2.id: q2.options[0].id}
    for question in OFFER.questions[2:]:
        answers[question.id] = question.options[0].id
        await p.tap(label(locale, "", question.options[0].text))
    stored = (await db.scalars(select(JobCheck))).one()
    assert stored.answers == answers


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_job_check_stale_and_forged_back(person, db, locale):
    p = await villager(person, 4102, locale=locale, role="prospective")
    q0, q1 = OFFER.questions[:2]
    await p.say("/cekkerja")
    await p.tap(label(locale, "", q0.options[0].text))
    await p.tap(label(locale, "", q1.options[0].text))  # now at question 3
    for data in ("jc:b:1", "jc:b:0", "jc:b:99", "jc:b:2x"):
        reply = await p.press(data)
        if data == "jc:b:2x":  # not a Back button at all: no handler, the fallback answers
            continue
        assert reply.toast is not None
        assert EXPIRED[locale] in reply.text
        assert heading(locale, 2) in reply.text
        assert reply.buttons == [*options(locale, 2), BACK[locale]]
    # The answers given are still there.
    await p.tap(BACK[locale])
    reply = await p.tap(BACK[locale])
    assert reply.buttons == options(locale, 0, q0.options[0].id)
    assert (await db.scalars(select(JobCheck))).all() == []


# --- checklist set-up -----------------------------------------------------------------------


def schemes(locale: str, chosen: str | None = None) -> list[str]:
    return [
        ("✔️ " if key == chosen else "") + label(locale, "scheme", text)
        for key, text in (*SCHEME.items(), ("unsure", "Not sure yet"))
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_checklist_setup_back_at_every_step(person, db, locale):
    p = await villager(person, 4201, locale=locale, role="prospective")
    country_q = label(locale, "", "Which country will you work in?")
    sector_q = label(locale, "", "What work will you do?")
    hk, domestic = label(locale, "", "Hong Kong"), label(locale, "", "Domestic work and care")
    reply = await p.say("/persiapan")
    assert reply.buttons == schemes(locale)  # the first question: no Back
    reply = await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    assert reply.text == country_q
    assert reply.buttons[-1] == BACK[locale]
    reply = await p.tap(BACK[locale])  # country → scheme
    sees(reply, locale, "<b>🧳 Departure checklist</b>\nA few questions")
    assert reply.buttons == schemes(locale, "p3mi")
    await p.tap("✔️ " + label(locale, "scheme", SCHEME["p3mi"]))
    # Another country, typed; Back from its name goes to the list.
    await p.tap(label(locale, "button", "Another country…"))
    reply = await p.say("Brunei")
    assert reply.text == sector_q
    reply = await p.tap(BACK[locale])  # sector → country, "another country" marked
    assert reply.text == country_q
    assert "✔️ " + label(locale, "button", "Another country…") in reply.buttons
    reply = await p.tap("✔️ " + label(locale, "button", "Another country…"))
    assert reply.text == label(locale, "", "Please type the country's name.") + "\n\n" + SO_FAR[
        locale
    ].format("Brunei")
    assert reply.buttons == [KEEP[locale].format("Brunei"), BACK[locale]]
    reply = await p.tap(BACK[locale])  # country name → country list
    assert reply.text == country_q
    reply = await p.tap(hk)
    assert reply.text == sector_q
    reply = await p.tap(domestic)
    assert reply.buttons == [label(locale, "button", "I don't know yet"), BACK[locale]]
    reply = await p.tap(BACK[locale])  # departure → sector, the work marked
    assert reply.text == sector_q
    assert "✔️ " + domestic in reply.buttons
    assert hk not in reply.buttons
    await p.tap("✔️ " + domestic)
    reply = await p.say("15-03-2027")
    sees(reply, locale, "What is the name of the agency (P3MI)?")
    assert reply.buttons == [label(locale, "button", "Skip"), BACK[locale]]
    reply = await p.tap(BACK[locale])  # agency → departure, the date offered to keep
    assert SO_FAR[locale].format("15 Maret 2027") in reply.text
    assert reply.buttons == [
        KEEP[locale].format("15 Maret 2027"),
        label(locale, "button", "I don't know yet"),
        BACK[locale],
    ]
    reply = await p.tap(KEEP[locale].format("15 Maret 2027"))
    sees(reply, locale, "What is the name of the agency (P3MI)?")
    reply = await p.say("PT Maju Jaya")
    sees(reply, locale, "Your checklist is ready.")
    plan = (
        await db.scalars(select(Checklist).where(Checklist.person_id == await known(db, 4201)))
    ).one()
    assert (plan.scheme, plan.country, plan.country_other, plan.sector) == (
        "p3mi",
        "hong-kong",
        None,
        "domestic",
    )
    assert (plan.departure_on, plan.departure_approx, plan.agency) == (
        date(2027, 3, 15),
        False,
        "PT Maju Jaya",
    )


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_checklist_back_after_unknown_date_and_agency(person, db, locale):
    p = await villager(person, 4202, locale=locale, role="prospective")
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    await p.tap(label(locale, "", "Malaysia"))
    await p.tap(label(locale, "", "Factory work"))
    await p.tap(label(locale, "button", "I don't know yet"))
    reply = await p.tap(BACK[locale])  # "I don't know yet" marked
    assert reply.buttons == ["✔️ " + label(locale, "button", "I don't know yet"), BACK[locale]]
    reply = await p.say("April 2027")  # going forward with another answer
    sees(reply, locale, "What is the name of the agency (P3MI)?")
    await p.say("PT Sejahtera")
    plan = (
        await db.scalars(select(Checklist).where(Checklist.person_id == await known(db, 4202)))
    ).one()
    assert (plan.departure_on, plan.departure_approx) == (date(2027, 4, 1), True)
    # The agency typed before is offered to keep when the answers are changed.
    await p.tap(label(locale, "button", "⚙️ Change answers"))
    reply = await p.tap(label(locale, "button", "🏢 Agency"))
    assert SO_FAR[locale].format("PT Sejahtera") in reply.text
    assert reply.buttons == [
        KEEP[locale].format("PT Sejahtera"),
        label(locale, "button", "Skip"),
        BACK[locale],
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_checklist_stale_and_forged_back(person, db, locale):
    p = await villager(person, 4203, locale=locale, role="prospective")
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME["g2g"]))
    await p.tap(label(locale, "", "Hong Kong"))
    await p.tap(label(locale, "", "Domestic work and care"))  # now at the departure
    for data in ("cl:b:country", "cl:b:scheme", "cl:b:nonsense", "cl:b:change"):
        reply = await p.press(data)
        assert reply.toast is not None
        assert EXPIRED[locale] in reply.text
        assert reply.buttons == [label(locale, "button", "I don't know yet"), BACK[locale]]
    reply = await p.tap(BACK[locale])
    assert "✔️ " + label(locale, "", "Domestic work and care") in reply.buttons
    assert (await db.scalars(select(Checklist))).all() == []


# --- changing one answer --------------------------------------------------------------------


async def reminder_times(db, chat_id: int) -> dict[str, datetime]:
    rows = (
        await db.scalars(
            select(Delivery).where(Delivery.kind == "reminder", Delivery.chat_id == chat_id)
        )
    ).all()
    found = {}
    for row in rows:
        due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
        key = next(f"{k}:{v}" for k, v in sorted(row.payload.items()) if k != "days")
        found[key] = due.astimezone(UTC)
    return found


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_change_only_the_departure_date(person, db, locale):
    p = await villager(person, 4301, locale=locale, role="prospective")
    await set_up(p, locale, departure="15-03-2027", agency="PT Maju")
    await p.tap("⬜ " + label(locale, "", "Medical and psychology check"))
    await p.tap(label(locale, "button", "✅ Mark as done"))
    # 09:00 WIB (02:00 UTC) on each day; the weekly nudge a week after 1 Dec 2026.
    assert await reminder_times(db, 4301) == {
        "r:d30": utc(2027, 2, 13, 2),
        "r:d14": utc(2027, 3, 1, 2),
        "r:d7": utc(2027, 3, 8, 2),
        "r:d1": utc(2027, 3, 14, 2),
        "r:a7": utc(2027, 3, 22, 2),
        "nudge:1": utc(2026, 12, 8, 2),
    }
    reply = await p.tap(label(locale, "button", "⚙️ Change answers"))
    summary = label(
        locale,
        "",
        "Destination: {country} · Work: {sector} · Departure: {date}",
        country=label(locale, "", "Hong Kong"),
        sector=label(locale, "", "Domestic work and care"),
        date="15 Maret 2027",
    )
    assert reply.text == summary + "\n\n" + CHANGE[locale]
    assert reply.buttons == [
        label(locale, "button", "🧭 How you go"),
        label(locale, "button", "🌏 Country"),
        label(locale, "button", "🧰 Work"),
        label(locale, "button", "📅 Departure date"),
        label(locale, "button", "🏢 Agency"),
        label(locale, "button", "« Checklist"),
    ]
    reply = await p.tap(label(locale, "button", "📅 Departure date"))
    assert SO_FAR[locale].format("15 Maret 2027") in reply.text
    assert reply.buttons == [
        KEEP[locale].format("15 Maret 2027"),
        label(locale, "button", "I don't know yet"),
        BACK[locale],
    ]
    reply = await p.tap(BACK[locale])  # back to the list of answers
    assert reply.text == summary + "\n\n" + CHANGE[locale]
    await p.tap(label(locale, "button", "📅 Departure date"))
    reply = await p.say("15-04-2027")
    # Straight back to the checklist: no scheme, country or work asked again.
    assert reply.text.startswith(CHANGED[locale])
    assert "✅ " + label(locale, "", "Medical and psychology check") in reply.buttons
    plan = (
        await db.scalars(select(Checklist).where(Checklist.person_id == await known(db, 4301)))
    ).one()
    assert (plan.scheme, plan.country, plan.country_other, plan.sector, plan.agency) == (
        "p3mi",
        "hong-kong",
        None,
        "domestic",
        "PT Maju",
    )
    assert (plan.departure_on, plan.departure_approx) == (date(2027, 4, 15), False)
    marks = (
        await db.scalars(
            select(ChecklistMark).where(ChecklistMark.person_id == await known(db, 4301))
        )
    ).all()
    assert [(m.item_id, m.ticked_at is not None) for m in marks] == [("medical-check", True)]
    assert await reminder_times(db, 4301) == {
        "r:d30": utc(2027, 3, 16, 2),
        "r:d14": utc(2027, 4, 1, 2),
        "r:d7": utc(2027, 4, 8, 2),
        "r:d1": utc(2027, 4, 14, 2),
        "r:a7": utc(2027, 4, 22, 2),
        "nudge:1": utc(2026, 12, 8, 2),
    }


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_change_only_the_country(person, db, locale):
    p = await villager(person, 4302, locale=locale, role="prospective")
    await set_up(p, locale, scheme="g2g", departure="15-03-2027")
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "✅ Mark as done"))
    reply = await p.tap(label(locale, "button", "⚙️ Change answers"))
    assert label(locale, "button", "🏢 Agency") not in reply.buttons  # not via an agency
    reply = await p.tap(label(locale, "button", "🌏 Country"))
    assert "✔️ " + label(locale, "", "Hong Kong") in reply.buttons
    assert reply.buttons[-1] == BACK[locale]
    reply = await p.tap(label(locale, "", "Taiwan"))
    assert reply.text.startswith(CHANGED[locale])
    assert "✅ " + label(locale, "", "Passport") in reply.buttons
    plan = (
        await db.scalars(select(Checklist).where(Checklist.person_id == await known(db, 4302)))
    ).one()
    assert (plan.scheme, plan.country, plan.sector, plan.departure_on) == (
        "g2g",
        "taiwan",
        "domestic",
        date(2027, 3, 15),
    )
    # A stale button of the list of answers, once the change is done, has expired.
    reply = await p.press("cl:ch:sector")
    assert EXPIRED[locale] in reply.text


# --- announcement ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_announcement_back_at_every_step(app, person, db, locale):
    await villager(person, 4401)
    bu = await officer(app, person, 4490, "jogosimo", locale=locale)
    cancel = label(locale, "button", "Cancel")
    reply = await bu.say("/umumkan")
    assert reply.buttons == [cancel]  # the first step: no Back
    reply = await bu.say("Rapat warga Jumat")
    sees(reply, locale, "Add a photo? Send it now, or continue without one.")
    assert reply.buttons == [label(locale, "button", "No photo"), BACK[locale], cancel]
    reply = await bu.tap(BACK[locale])  # photo → text, the text offered to keep
    sees(reply, locale, "<b>New announcement</b>")
    assert reply.buttons == [KEEP[locale].format("Rapat warga Jumat"), cancel]
    await bu.tap(KEEP[locale].format("Rapat warga Jumat"))
    reply = await bu.send("photo")
    sees(reply, locale, "Add the announcement in other languages?")
    assert reply.buttons == [
        LANGUAGE["jv"],
        LANGUAGE["en"],
        label(locale, "button", "Continue ▸"),
        BACK[locale],
    ]
    reply = await bu.tap(BACK[locale])  # versions → photo: keep or remove the photo
    sees(reply, locale, "A photo is added. Send another one to replace it, or continue.")
    assert reply.buttons == [
        label(locale, "button", "Keep the photo ▶️"),
        label(locale, "button", "No photo"),
        BACK[locale],
        cancel,
    ]
    await bu.tap(label(locale, "button", "Keep the photo ▶️"))
    reply = await bu.tap(LANGUAGE["jv"])
    assert reply.buttons == [BACK[locale]]
    reply = await bu.tap(BACK[locale])  # version → versions, nothing written
    assert reply.buttons[0] == LANGUAGE["jv"]
    await bu.tap(LANGUAGE["jv"])
    reply = await bu.say("Rapat warga dinten Jumat")
    assert reply.buttons[0] == "✓ " + LANGUAGE["jv"]
    reply = await bu.tap(label(locale, "button", "Continue ▸"))
    sees(reply, locale, "<b>Who receives it?</b>")
    assert reply.buttons[-1] == BACK[locale]
    reply = await bu.tap(BACK[locale])  # audience → versions, the version kept
    assert reply.buttons[0] == "✓ " + LANGUAGE["jv"]
    await bu.tap(label(locale, "button", "Continue ▸"))
    reply = await bu.tap(label(locale, "button", "Continue ▸"))
    sees(reply, locale, "When should it go out?")
    reply = await bu.tap(BACK[locale])  # when → audience
    sees(reply, locale, "<b>Who receives it?</b>")
    await bu.tap(label(locale, "button", "Continue ▸"))
    await bu.tap(label(locale, "button", "Choose a date and time"))
    reply = await bu.say("24-12-2026 08:00")
    sees(reply, locale, "<b>Preview above.</b>")
    assert reply.buttons[-1] == BACK[locale]
    reply = await bu.tap(BACK[locale])  # preview → when, the choice marked
    assert reply.buttons == [
        label(locale, "button", "Send now"),
        "✔️ " + label(locale, "button", "Choose a date and time"),
        BACK[locale],
    ]
    given = {"id": "24 Desember 2026, 08.00", "jv": "24 Desember 2026, 08:00"}[locale]
    reply = await bu.tap("✔️ " + label(locale, "button", "Choose a date and time"))
    assert SO_FAR[locale].format(given) in reply.text
    assert reply.buttons == [KEEP[locale].format(given), BACK[locale]]
    reply = await bu.tap(KEEP[locale].format(given))
    sees(reply, locale, "<b>Preview above.</b>")
    # Editing: Back from the part being edited leads to the list of what to change.
    await bu.tap(label(locale, "button", "Edit"))
    reply = await bu.tap(label(locale, "button", "Text"))
    assert reply.buttons == [KEEP[locale].format("Rapat warga Jumat"), BACK[locale], cancel]
    reply = await bu.tap(BACK[locale])
    sees(reply, locale, "What do you want to change?")
    await bu.tap(label(locale, "button", "« Back to the preview"))
    reply = await bu.tap(label(locale, "button", "Send"))
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.texts == {"id": "Rapat warga Jumat", "jv": "Rapat warga dinten Jumat"}
    assert announcement.photo is not None
    scheduled = announcement.scheduled_at
    scheduled = scheduled if scheduled.tzinfo else scheduled.replace(tzinfo=UTC)
    assert scheduled.astimezone(UTC) == utc(2026, 12, 24, 1)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_announcement_photo_removed_and_stale_back(app, person, db, locale):
    await villager(person, 4402)
    bu = await officer(app, person, 4491, "jogosimo", locale=locale)
    await bu.say("/umumkan")
    await bu.say("Kerja bakti")
    await bu.send("photo")
    await bu.tap(BACK[locale])
    reply = await bu.tap(label(locale, "button", "No photo"))  # removes the photo
    sees(reply, locale, "Add the announcement in other languages?")
    await bu.tap(BACK[locale])
    reply = await bu.tap(BACK[locale])
    sees(reply, locale, "<b>New announcement</b>")
    # At the text: every Back button is stale or forged.
    for data in ("an:back:text", "an:back:photo", "an:back:edit", "an:back:nonsense"):
        reply = await bu.press(data)
        assert EXPIRED[locale] in reply.text
        sees(reply, locale, "<b>New announcement</b>")
    await bu.tap(KEEP[locale].format("Kerja bakti"))
    await bu.tap(label(locale, "button", "No photo"))
    await bu.tap(label(locale, "button", "Continue ▸"))
    await bu.tap(label(locale, "button", "Continue ▸"))
    await bu.tap(label(locale, "button", "Send now"))
    await bu.tap(label(locale, "button", "Send"))
    announcement = (await db.scalars(select(Announcement))).one()
    assert (announcement.texts, announcement.photo) == ({"id": "Kerja bakti"}, None)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_typing_at_the_list_of_answers(person, db, locale):
    """Bad input at the list of answers: a calm word, and the list again (nothing changed)."""
    p = await villager(person, 4303, locale=locale, role="prospective")
    await set_up(p, locale, scheme="g2g", departure="15-03-2027")
    menu = await p.tap(label(locale, "button", "⚙️ Change answers"))
    for action, notice in (
        (p.say("Saudi"), "Please answer with one of the buttons below."),
        (p.send("sticker"), "I can only read text messages and button taps here."),
    ):
        reply = await action
        assert reply.text == label(locale, "", notice) + "\n\n" + menu.text
        assert reply.buttons == menu.buttons
    plan = (
        await db.scalars(select(Checklist).where(Checklist.person_id == await known(db, 4303)))
    ).one()
    assert (plan.scheme, plan.country, plan.departure_on) == (
        "g2g",
        "hong-kong",
        date(2027, 3, 15),
    )
