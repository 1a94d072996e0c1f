"""Resolving a case asks the officer for its outcome (issue 13): a common one (help.yaml
``outcomes``) or their own words; the requester is told it, in their own language, with the
"is it solved?" question, and sees it on their /status page; the officer sees it on the
case page and in the history. Back and stale buttons change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Delivery, HelpEvent, HelpRequest, User
from tests.announcing import officer, villager
from tests.helping import HELP, ask_for_help, outcome_label
from tests.people import person as person_id
from tests.people import row_of
from tests.transcript import label, sees, tr

REQUESTER, BU, BU2 = 1801, 1880, 1882
REFERENCE = "DM-2026-000001"
OTHER = {"id": "jv", "jv": "id"}  # the officer reads the other language
NOTICE = {
    "id": "Status permintaan Anda DM-2026-000001 berubah:\n✅ Selesai: mohon konfirmasi\n"
    "{outcome}\nApakah masalah Anda sudah selesai?",
    "jv": "Panyuwunan panjenengan DM-2026-000001 gadhah status enggal:\n✅ Sampun rampung: "
    "nyuwun konfirmasi panjenengan\n{outcome}\nMenapa masalah panjenengan sampun rampung?",
}
WAGES_PAID = {"id": "Hasil: Gaji sudah dibayar.", "jv": "Asil: Gaji sampun dipunbayar."}
TYPED = "<b>Gaji</b> & bonus sudah dibayar 🎉"
ESCAPED = "&lt;b&gt;Gaji&lt;/b&gt; &amp; bonus sudah dibayar 🎉"
OFFICER_WROTE = {"id": "Petugas menulis: {text}", "jv": "Petugas nyerat: {text}"}
STATUS_PAGE = {
    "id": "DM-2026-000001 · 📵 Hilang kontak\nDikirim pada 1 Desember 2026, 09.00\n"
    "{status}\n{outcome}",
    "jv": "DM-2026-000001 · 📵 Kecalan kabar\nDipunkintun ing 1 Desember 2026, 09:00\n"
    "{status}\n{outcome}",
}
QUESTION = {
    "id": "DM-2026-000001\nApa hasilnya? Pemohon akan diberi tahu hasil ini, bersama "
    "pertanyaan apakah masalahnya sudah selesai.",
    "jv": "DM-2026-000001\nMenapa asilipun? Ingkang nyuwun pitulungan badhe dipunkabari asil "
    "menika, sesarengan kaliyan pitakenan menapa masalahipun sampun rampung.",
}


async def _claimed_case(app, person, sweep, locale):
    """A requester in ``locale`` asked for help; the officer (other language) claimed it."""
    requester = await villager(person, REQUESTER, locale=locale)
    await ask_for_help(requester, locale=locale)
    bu = await officer(app, person, BU, "jogosimo", locale=OTHER[locale])
    await sweep()
    await bu.press("cs:claim:1")
    await sweep()
    return requester, bu


def _last_to(emulator, chat_id):
    return emulator.bot_messages(chat_id)[-1]


async def _case(db) -> HelpRequest:
    db.expire_all()
    case = await db.get(HelpRequest, 1)
    assert case is not None
    return case


async def _events(db) -> list[tuple[str, dict]]:
    db.expire_all()
    rows = await db.scalars(select(HelpEvent).where(HelpEvent.request_id == 1))
    return [(e.action, e.detail) for e in rows.all()]


async def _close_checks(db) -> list[dict]:
    db.expire_all()
    rows = await db.scalars(select(Delivery).where(Delivery.kind == "case_deadline"))
    return [d.payload for d in rows.all() if d.payload.get("check") == "close"]


def _question_buttons(locale: str) -> list[str]:
    return [
        *(tr(locale, outcome.label) for outcome in HELP.outcomes),
        label(locale, "button", "✏️ Something else: I type it"),
        label(locale, "button", "« Back to the case"),
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_resolved_asks_the_outcome_and_the_requester_sees_it_in_their_language(
    app, person, emulator, sweep, db, locale
):
    requester, bu = await _claimed_case(app, person, sweep, locale)
    officer_locale = OTHER[locale]

    reply = await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    assert reply.text == QUESTION[officer_locale]
    assert reply.buttons == _question_buttons(officer_locale)
    assert (await _case(db)).status == "claimed"  # nothing resolved yet
    assert await _close_checks(db) == []

    reply = await bu.tap(outcome_label(officer_locale, "wages_paid"))
    sees(reply, officer_locale, "Status changed. The requester is told.")
    assert WAGES_PAID[officer_locale] in reply.text.splitlines()  # the case page
    assert label(officer_locale, "button", "↩️ Reopen") in reply.buttons
    case = await _case(db)
    assert (case.status, case.resolved_at is not None) == ("resolved", True)
    assert (await _events(db))[-1] == (
        "status",
        {"before": "claimed", "after": "resolved", "outcome": "wages_paid"},
    )
    assert await _close_checks(db) == [{"case": 1, "check": "close"}]

    await sweep()
    told = _last_to(emulator, REQUESTER)
    assert told.text == NOTICE[locale].format(outcome=WAGES_PAID[locale])
    assert told.button_labels() == [
        label(locale, "button", "✅ Yes, close it"),
        label(locale, "button", "↩️ No, I still need help"),
    ]

    await requester.say("/status")
    reply = await requester.tap(REFERENCE)
    status = tr(locale, "✅ Solved: please confirm")
    assert reply.text == STATUS_PAGE[locale].format(status=status, outcome=WAGES_PAID[locale])
    # Confirmed and closed: the outcome stays on the page.
    reply = await requester.tap(label(locale, "button", "✅ Yes, close it"))
    assert WAGES_PAID[locale] in reply.text.splitlines()
    assert (await _case(db)).status == "closed"

    reply = await bu.press("cs:h:1")
    wages = tr(officer_locale, "The wages were paid.")
    sees(reply, officer_locale, "outcome: {text}", text=wages)
    assert f" · {tr(officer_locale, 'outcome: {text}', text=wages)}" in reply.text


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_typed_outcome_is_escaped_on_both_sides(app, person, emulator, sweep, db, locale):
    requester, bu = await _claimed_case(app, person, sweep, locale)
    officer_locale = OTHER[locale]
    await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    reply = await bu.tap(label(officer_locale, "button", "✏️ Something else: I type it"))
    prompt = tr(
        officer_locale,
        "Type the outcome for the requester in a sentence or two (at most {limit} "
        "characters). They see it with the question whether their problem is solved.",
        limit=300,
    )
    assert reply.text == f"{REFERENCE}\n{prompt}"
    assert reply.buttons == [label(officer_locale, "button", "« Back")]

    # Bad input at the step: a photo, then too long a text; nothing is resolved.
    reply = await bu.send("photo")
    sees(reply, officer_locale, "Please type it as text.")
    reply = await bu.say("x" * 301)
    sees(
        reply,
        officer_locale,
        "That is too long ({count} characters; at most {limit}). Please say it shorter: an "
        "internal note can hold the rest.",
        count=301,
        limit=300,
    )
    assert (await _case(db)).status == "claimed"

    reply = await bu.say(TYPED)
    sees(reply, officer_locale, "Status changed. The requester is told.")
    typed_line = tr(officer_locale, "Outcome (typed): {text}", text=TYPED)
    assert typed_line in reply.text.splitlines()  # shown as typed …
    page = _last_to(emulator, BU)
    assert tr(officer_locale, "Outcome (typed): {text}", text=ESCAPED) in page.source  # … escaped
    assert (await _case(db)).status == "resolved"
    assert (await _events(db))[-1][1] == {
        "before": "claimed",
        "after": "resolved",
        "outcome_text": TYPED,
    }
    db.expire_all()
    assert (await row_of(db, User, BU)).dialog is None  # the typing step is over

    await sweep()
    told = _last_to(emulator, REQUESTER)
    wrote = OFFICER_WROTE[locale]
    assert told.text == NOTICE[locale].format(outcome=wrote.format(text=TYPED))
    assert wrote.format(text=ESCAPED) in told.source

    await requester.say("/status")
    reply = await requester.tap(REFERENCE)
    status = tr(locale, "✅ Solved: please confirm")
    assert reply.text == STATUS_PAGE[locale].format(
        status=status, outcome=wrote.format(text=TYPED)
    )
    assert wrote.format(text=ESCAPED) in _last_to(emulator, REQUESTER).source

    reply = await bu.press("cs:h:1")
    assert f" · {tr(officer_locale, 'outcome (typed): {text}', text=TYPED)}" in reply.text


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_back_from_the_outcome_question_changes_nothing(
    app, person, emulator, sweep, db, locale
):
    _requester, bu = await _claimed_case(app, person, sweep, locale)
    officer_locale = OTHER[locale]
    before = await _events(db)
    await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    reply = await bu.tap(label(officer_locale, "button", "« Back to the case"))
    assert label(officer_locale, "button", "✅ Resolved") in reply.buttons
    sees(reply, officer_locale, "Handled by: {who}", who=tr(officer_locale, "you"))

    # From the typed step, « Back goes to the common outcomes; from there back to the case.
    await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    await bu.tap(label(officer_locale, "button", "✏️ Something else: I type it"))
    reply = await bu.tap(label(officer_locale, "button", "« Back"))
    assert reply.text == QUESTION[officer_locale]
    assert reply.buttons == _question_buttons(officer_locale)
    reply = await bu.tap(label(officer_locale, "button", "« Back to the case"))
    assert label(officer_locale, "button", "✅ Resolved") in reply.buttons

    assert (await _case(db)).status == "claimed"
    assert await _events(db) == before
    assert await _close_checks(db) == []
    requester_saw = len(emulator.bot_messages(REQUESTER))
    await sweep()
    assert len(emulator.bot_messages(REQUESTER)) == requester_saw  # nobody told anything


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_stale_and_forged_outcome_buttons_are_refused(
    app, person, emulator, sweep, db, locale
):
    _requester, bu = await _claimed_case(app, person, sweep, locale)
    officer_locale = OTHER[locale]
    colleague = await officer(app, person, BU2, "jogosimo", locale=locale)
    await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    question = bu.last_with_buttons()
    before = await _events(db)

    # Another officer of the village may not resolve a case someone else holds, and an
    # outcome that does not exist is refused.
    for who, data in ((colleague, "cs:rs:1:wages_paid"), (colleague, "cs:st:1:resolved")):
        reply = await who.press(data)
        assert reply.toast == tr(locale, "This button has expired.")
    reply = await bu.press("cs:rs:1:no_such_outcome", question.message_id)
    assert reply.toast == tr(officer_locale, "This button has expired.")
    assert await _events(db) == before

    await bu.press("cs:rs:1:home_safely", question.message_id)
    resolved = await _events(db)
    assert resolved[-1][1]["outcome"] == "home_safely"
    # The question's buttons, pressed again after the case is resolved: nothing changes.
    for data in ("cs:rs:1:wages_paid", "cs:rs:1:typed", "cs:st:1:resolved"):
        reply = await bu.press(data, question.message_id)
        assert reply.toast == tr(officer_locale, "This button has expired."), data
    assert await _events(db) == resolved
    assert await _close_checks(db) == [{"case": 1, "check": "close"}]
    await sweep()
    told = _last_to(emulator, REQUESTER)
    home = tr(locale, "Outcome: {outcome}", outcome=tr(locale, "They are home safely."))
    assert told.text == NOTICE[locale].format(outcome=home)


async def test_typing_an_outcome_for_a_case_reassigned_meanwhile_resolves_nothing(
    app, person, emulator, sweep, db
):
    """The officer starts typing an outcome; meanwhile a colleague reassigns the case to
    themselves: what the first officer then types resolves nothing, and the step ends."""
    _requester, bu = await _claimed_case(app, person, sweep, "id")
    colleague = await officer(app, person, BU2, "jogosimo", locale="id")
    await bu.tap(label("jv", "button", "✅ Resolved"))
    await bu.tap(label("jv", "button", "✏️ Something else: I type it"))
    await colleague.press(f"cs:ra:1:{await person_id(db, BU2)}")
    before = await _events(db)
    reply = await bu.say("Sudah selesai")
    sees(reply, "jv", "That case cannot take this any more.")
    assert await _events(db) == before
    case = await _case(db)
    assert (case.status, case.assigned_officer_id) == ("claimed", await person_id(db, BU2))
    assert (await row_of(db, User, BU)).dialog is None


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_erasing_the_requesters_data_erases_the_typed_outcome(
    app, person, emulator, sweep, db, locale
):
    """A typed outcome may name the migrant: like an escalation reason, it goes when the
    requester erases their data; the case keeps that it was resolved, and a common
    outcome (no one's words) stays."""
    requester, bu = await _claimed_case(app, person, sweep, locale)
    officer_locale = OTHER[locale]
    await bu.tap(label(officer_locale, "button", "✅ Resolved"))
    await bu.tap(label(officer_locale, "button", "✏️ Something else: I type it"))
    await bu.say("Siti Aminah sudah pulang ke Kebumen")
    await sweep()
    await requester.say("/hapusdata")
    await requester.tap(label(locale, "button", "Yes, erase everything"))
    await sweep()
    assert (await _events(db))[-1] == (
        "status",
        {"before": "claimed", "after": "resolved", "outcome_text": ""},
    )
    reply = await bu.press("cs:v:1")
    assert "Siti Aminah" not in reply.text
    assert tr(officer_locale, "Outcome (typed): {text}", text="").rstrip() not in reply.text
    reply = await bu.press("cs:h:1")
    assert "Siti Aminah" not in reply.text
