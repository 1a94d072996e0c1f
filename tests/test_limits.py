"""Limits per person (issue 11): at most three open help requests, a cap on what one
request gathers (description, files, messages added per hour), and a per-person rate
limit on updates that never cuts into a help request being written. Checked where people
see it (Indonesian and Javanese) and in the database."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.catalogs import load
from bot.channels.telegram.rate_limit import BURST_DIALOGS, SlidingWindow
from bot.config import Settings
from bot.simulator import Person
from handlers import help_mine, help_request, officer_cases
from storage.models import HelpMessage, InboxUpdate, User
from tests.announcing import officer, villager
from tests.helping import ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.people import row_of
from tests.test_inbox import polling, until
from tests.transcript import I18N, full_message, label, sees, tr

LOCALES = ("id", "jv")
OPENING = {
    "id": "Anda sudah punya 3 permintaan yang masih terbuka",
    "jv": "Panjenengan sampun gadhah 3 panyuwunan ingkang taksih dipunbikak",
}
BU = 880  # officer of Jogosimo


def too_many(locale: str) -> str:
    return plural(locale, "You already have {n} open request:", 3)


@functools.cache
def _plurals() -> dict[str, tuple[str, str]]:
    return {m.id[0]: m.id for m in load("en") if isinstance(m.id, tuple)}


def plural(locale: str, start: str, n: int, **values: object) -> str:
    """What a user with ``locale`` sees for the plural message beginning with ``start``."""
    singular, plural_form = _plurals()[full_message(start)]
    return I18N.translator(locale).ngettext(singular, plural_form, n, **values)


async def emergency_contacts(p: Person, locale: str) -> str:
    """The emergency contacts exactly as the menu's button shows them."""
    reply = await p.press("hr:sos")
    sees(reply, locale, "<b>🚨 If someone is in danger now, call for help first:</b>")
    assert "110" in reply.text
    assert "0800-1000" in reply.text
    return reply.text


async def user_row(db, telegram_id: int) -> User:
    db.expire_all()
    user = await row_of(db, User, telegram_id)
    assert user is not None
    return user


async def close_one(bu: Person, case_id: int) -> None:
    """The officer claims the case and marks it solved: it is no longer open."""
    await bu.press(f"cs:claim:{case_id}")
    await bu.press(f"cs:st:{case_id}:resolved")
    await bu.press(f"cs:rs:{case_id}:contact_restored")  # the outcome (issue 13)


# --- at most three open requests ---------------------------------------------------------


def test_the_limits_are_settings_with_the_agreed_defaults():
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        defaults.max_open_requests,
        defaults.max_description_chars,
        defaults.max_files_per_request,
        defaults.max_files_per_case,
        defaults.max_messages_per_hour,
        defaults.rate_limit_updates,
        defaults.rate_limit_seconds,
    ) == (3, 4000, 10, 30, 20, 20, 10.0)


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_third_request_is_accepted_and_the_fourth_refused(person, db, locale):
    p = await villager(person, 601, locale=locale)
    for number in (1, 2, 3):
        reply = await ask_for_help(p, locale=locale)
        sees(reply, locale, "✅ <b>Your request is saved.</b>")
        sees(
            reply,
            locale,
            "Reference number: <b>{reference}</b>",
            reference=f"DM-2026-{number:06d}",
        )
    assert [case.status for case in await cases_of(db, await person_id(db, 601))] == ["new"] * 3

    async def from_the_menu():
        await p.say("/menu")
        return await p.tap(label(locale, "menu", "🆘 Ask for help"))  # hr:new

    for attempt in (lambda: p.say("/tolong"), from_the_menu):
        reply = await attempt()
        assert reply.text == too_many(locale)
        assert reply.text.startswith(OPENING[locale])  # translated, not the English source
        assert reply.buttons == [
            label(locale, "button", "📨 My requests"),
            label(locale, "menu", "🚨 Emergency contacts"),
            label(locale, "button", "« Menu"),
        ]
        assert (await user_row(db, 601)).dialog is None  # no dialog was started
    assert len(await cases_of(db, await person_id(db, 601))) == 3

    reply = await p.tap(label(locale, "button", "📨 My requests"))
    sees(reply, locale, "<b>📨 Your requests</b>")
    for number in (1, 2, 3):
        assert f"DM-2026-{number:06d}" in reply.text
    await p.say("/tolong")
    reply = await p.tap(label(locale, "menu", "🚨 Emergency contacts"))
    sees(reply, locale, "<b>🚨 If someone is in danger now, call for help first:</b>")


async def test_closing_a_request_makes_room_again(app, person, db):
    bu = await officer(app, person, BU, "jogosimo")
    p = await villager(person, 602)
    for _number in range(3):
        await ask_for_help(p)
    assert (await p.say("/tolong")).text == too_many("id")
    first = (await cases_of(db, await person_id(db, 602)))[0].id
    await close_one(bu, first)
    assert (await cases_of(db, await person_id(db, 602)))[0].status == "resolved"
    reply = await p.say("/tolong")
    sees(reply, "id", "<b>🆘 Ask for help</b>\nWhat happened?")
    reply = await ask_for_help(p)
    sees(reply, "id", "Reference number: <b>{reference}</b>", reference="DM-2026-000004")
    assert [case.status for case in await cases_of(db, await person_id(db, 602))] == [
        "resolved",
        "new",
        "new",
        "new",
    ]


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_urgent_request_refused_at_send_shows_the_contacts_first_and_keeps_the_draft(
    app, person, db, locale
):
    """The check again at Send: while this request was being written, the person reopened
    a solved one from an old message. Their draft stays; nothing is lost."""
    bu = await officer(app, person, BU, "jogosimo")
    p = await villager(person, 603, locale=locale)
    for _number in range(3):
        await ask_for_help(p, locale=locale)
    solved = (await cases_of(db, await person_id(db, 603)))[2].id
    await close_one(bu, solved)
    review = await ask_for_help(
        p, locale=locale, category="violence", description="Majikan memukul.", send=False
    )
    sees(review, locale, "<b>Please check your request</b>")
    review_id = review.messages[-1].message_id
    reply = await p.press(f"hr:re:{solved}")  # the old "I still need help" button
    sees(reply, locale, "The request is open again; the officer is told.")
    draft = (await user_row(db, 603)).dialog_data
    contacts = await emergency_contacts(p, locale)

    reply = await p.press("hr:send", review_id)
    assert reply.text.startswith(contacts + "\n\n" + too_many(locale) + "\n\n")
    sees(reply, locale, "<b>Please check your request</b>")
    assert "Majikan memukul." in reply.text
    assert reply.buttons == [
        label(locale, "button", "📨 My requests"),
        label(locale, "button", "✅ Send to the officers"),
        label(locale, "button", "✏️ Edit"),
        label(locale, "button", "✖️ Cancel the request"),
    ]
    user = await user_row(db, 603)
    assert (user.dialog, user.step, user.dialog_data) == ("help", "review", draft)
    assert draft["category"] == "violence"
    assert len(await cases_of(db, await person_id(db, 603))) == 3

    await close_one(bu, solved)  # solved again: room for this one
    reply = await p.press("hr:send", review_id)
    sees(reply, locale, "✅ <b>Your request is saved.</b>")
    fourth = (await cases_of(db, await person_id(db, 603)))[3]
    assert (fourth.category, fourth.urgent, fourth.description) == (
        "violence",
        True,
        "Majikan memukul.",
    )


# --- what one request gathers ----------------------------------------------------------


def too_long(locale: str, *, used: str, left: str, count: str) -> str:
    message = full_message("⚠️ That message was not added: a description")
    return tr(locale, message, limit="4.000", used=used, left=left, count=count)


async def to_description(p, locale: str = "id") -> None:
    await p.say("/tolong")
    await p.tap(category_label(locale, "unpaid"))
    await p.tap(label(locale, "button", "Me"))
    await p.tap("Malaysia")
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.tap(label(locale, "button", "Skip ⏭"))


@pytest.mark.parametrize("locale", LOCALES)
async def test_description_at_the_limit_is_kept_and_one_more_character_refused(person, db, locale):
    p = await villager(person, 604, locale=locale)
    await to_description(p, locale)
    reply = await p.say("x" * 4001)
    assert reply.text.startswith(too_long(locale, used="0", left="4.000", count="4.001") + "\n\n")
    sees(reply, locale, "Tell us in your own words what happened")
    assert "description" not in (await user_row(db, 604)).dialog_data

    reply = await p.say("a" * 3000)
    sees(reply, locale, "Received. You can send more")
    reply = await p.say("b" * 999)  # 3,000 + the blank line + 999 = 4,001
    assert reply.text.startswith(too_long(locale, used="3.000", left="998", count="999"))
    reply = await p.say("b" * 998)  # exactly 4,000
    sees(reply, locale, "Received. You can send more")
    description = "a" * 3000 + "\n\n" + "b" * 998
    assert (await user_row(db, 604)).dialog_data["description"] == description
    reply = await p.say("c")
    assert reply.text.startswith(too_long(locale, used="4.000", left="0", count="1"))
    assert (await user_row(db, 604)).dialog_data["description"] == description

    # a photo whose caption does not fit is refused whole: no half of it is kept
    payload = p.emulator.media_update(604, "photo", language_code=locale)
    payload["message"]["caption"] = "Slip gaji"
    reply = await p._feed(payload)
    assert reply.text.startswith(too_long(locale, used="4.000", left="0", count="9"))
    assert "attachments" not in (await user_row(db, 604)).dialog_data

    await p.tap(label(locale, "button", "Continue ▶️"))
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 604))
    assert case.description == description
    assert len(case.description) == 4000


def too_many_files(locale: str) -> str:
    return plural(locale, "⚠️ That file was not added: a request", 10)


def too_many_on_case(locale: str, reference: str) -> str:
    return plural(locale, "⚠️ That file was not added to {reference}", 30, reference=reference)


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_eleventh_file_is_refused_and_the_thirty_first_on_the_case(
    person, db, clock, locale
):
    p = await villager(person, 605, locale=locale)
    await to_description(p, locale)
    for number in range(10):
        reply = await p.send("photo" if number % 2 else "voice")
        sees(reply, locale, "Received. You can send more")
    for kind in ("photo", "document"):
        reply = await p.send(kind)
        assert reply.text.startswith(too_many_files(locale) + "\n\n")
        sees(reply, locale, "Received. You can send more")
    assert len((await user_row(db, 605)).dialog_data["attachments"]) == 10
    await p.tap(label(locale, "button", "Continue ▶️"))
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 605))
    assert len(case.attachments) == 10
    case_id = case.id

    # Added later: 20 more files fit (30 on the case in all), over two hours.
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label(locale, "button", "➕ Add information"))
    for _number in range(20):
        if _number == 10:
            clock.advance(timedelta(hours=1))  # the hourly limit is not what is tested here
        reply = await p.send("photo")
        sees(reply, locale, "✅ Added to {reference}.", reference="DM-2026-000001")
    clock.advance(timedelta(hours=1))
    reply = await p.send("photo")
    assert reply.text.startswith(too_many_on_case(locale, "DM-2026-000001") + "\n\n")
    reply = await p.say("Foto paspor ada di agensi.")  # words still go in
    sees(reply, locale, "✅ Added to {reference}.", reference="DM-2026-000001")
    db.expire_all()
    kinds = (
        await db.scalars(select(HelpMessage.file_kind).where(HelpMessage.request_id == case_id))
    ).all()
    assert (kinds.count("photo"), kinds.count(None), len(kinds)) == (20, 1, 21)


def hourly(locale: str, time: str) -> str:
    return plural(locale, "⏳ Not added: you can add at most", 20, time=time)


async def messages_on(db, case_id: int) -> list[str | None]:
    db.expire_all()
    found = await db.scalars(
        select(HelpMessage.text).where(HelpMessage.request_id == case_id).order_by(HelpMessage.id)
    )
    return list(found.all())


@pytest.mark.parametrize(("locale", "ten"), [("id", "10.00"), ("jv", "10:00")])
async def test_the_twenty_first_message_in_an_hour_is_refused_until_the_hour_has_passed(
    person, db, clock, locale, ten
):
    p = await villager(person, 606, locale=locale)
    await ask_for_help(p, locale=locale)
    case_id = (await cases_of(db, await person_id(db, 606)))[0].id
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label(locale, "button", "➕ Add information"))
    for number in range(20):
        reply = await p.say(f"Tambahan {number}")
        sees(reply, locale, "✅ Added to {reference}.", reference="DM-2026-000001")
    refusal = hourly(locale, f"1 Desember 2026, {ten}")  # the first one + 1 hour
    reply = await p.say("Tambahan 20")
    assert reply.text.startswith(refusal + "\n\n")
    sees(reply, locale, "Write what you want to add to {reference}", reference="DM-2026-000001")
    assert (await user_row(db, 606)).dialog == "help_add"  # still adding
    # A message outside any dialog (the usual answer to an officer) is refused the same way.
    await p.say("/status")
    reply = await p.say("Tambahan 20")
    assert reply.text == refusal + "\n" + tr(locale, "To do something else, send /menu.")
    assert reply.buttons == [
        label(locale, "button", "📄 See my request"),
        label(locale, "button", "« Menu"),
    ]
    assert await messages_on(db, case_id) == [f"Tambahan {n}" for n in range(20)]

    clock.advance(timedelta(hours=1) - timedelta(seconds=1))
    reply = await p.say("Tambahan 20")
    assert reply.text.startswith(refusal)
    clock.advance(timedelta(seconds=1))  # the first one is an hour old now
    reply = await p.say("Tambahan 20")
    sees(reply, locale, "✅ Added to {reference}.", reference="DM-2026-000001")
    assert await messages_on(db, case_id) == [f"Tambahan {n}" for n in range(21)]


async def test_the_hourly_limit_counts_all_the_persons_requests(person, db):
    """With several open requests the limit is checked before asking which one."""
    p = await villager(person, 607)
    await ask_for_help(p)
    await ask_for_help(p)
    first, second = (case.id for case in await cases_of(db, await person_id(db, 607)))
    for case_id in (first, second):
        await p.press(f"hr:add:{case_id}")
        for number in range(10):
            await p.say(f"Tambahan {number}")
    await p.say("/status")
    reply = await p.say("Satu lagi")
    assert reply.text == (
        hourly("id", "1 Desember 2026, 10.00")
        + "\n"
        + tr("id", "To do something else, send /menu.")
    )
    assert reply.buttons == [
        label("id", "button", "📨 My requests"),
        label("id", "button", "« Menu"),
    ]
    assert (await user_row(db, 607)).dialog is None  # not asked which request
    assert len(await messages_on(db, first)) + len(await messages_on(db, second)) == 20


# --- the rate limit on updates -----------------------------------------------------------

SLOW_DOWN = (
    "🐢 Please slow down: you sent many messages in a short time. Wait a few seconds, then "
    "send again what you need: messages sent meanwhile were not read."
)


@pytest.fixture
async def limited(settings, emulator, clock):
    """The bot as deployed: 20 updates per person in 10 seconds (the default)."""
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    application = build_application(
        settings.model_copy(
            update={
                "rate_limit_updates": defaults.rate_limit_updates,
                "rate_limit_seconds": defaults.rate_limit_seconds,
            }
        ),
        request=emulator,
        clock=clock,
    )
    async with application:
        yield application


@pytest.fixture
def limited_person(limited, emulator):
    def make(user_id: int, language_code: str = "id") -> Person:
        return Person(limited, emulator, user_id, language_code=language_code)

    return make


def test_the_burst_dialogs_are_the_help_request_ones():
    assert {help_request.DIALOG, help_mine.ADD_DIALOG, officer_cases.DIALOG} == BURST_DIALOGS


@pytest.mark.parametrize("locale", LOCALES)
async def test_twenty_quick_updates_are_handled_the_next_told_once_the_rest_ignored(
    limited_person, clock, locale
):
    p = await villager(limited_person, 610, locale=locale)
    clock.advance(timedelta(seconds=10))  # the onboarding's updates leave the window
    hint = tr(locale, "Hello! I am the Desmigratif assistant. How can I help?")
    for number in range(20):
        reply = await p.say(f"halo {number}")
        assert reply.text.startswith(hint), number
    reply = await p.say("halo 20")
    assert [m.text for m in reply.messages] == [tr(locale, SLOW_DOWN)]
    assert reply.buttons == []
    for number in range(21, 30):
        reply = await p.say(f"halo {number}")
        assert reply.messages == [], number
    # a button pressed meanwhile: a short toast only, so its spinner stops
    reply = await p.tap(label(locale, "menu", "📨 My requests"))
    assert (reply.toast, reply.messages) == (
        tr(locale, "Too fast: please wait a few seconds."),
        [],
    )

    clock.advance(timedelta(seconds=10) - timedelta(milliseconds=1))
    assert (await p.say("halo 30")).messages == []
    clock.advance(timedelta(milliseconds=1))  # the window has passed
    reply = await p.say("halo 31")
    assert reply.text.startswith(hint)
    reply = await p.tap(label(locale, "menu", "📨 My requests"))
    sees(reply, locale, "You have not sent any request for help.")
    # over the limit again later: told again, once
    for number in range(18):
        await p.say(f"lagi {number}")
    assert [m.text for m in (await p.say("lagi 18")).messages] == [tr(locale, SLOW_DOWN)]
    assert (await p.say("lagi 19")).messages == []


async def test_ignored_updates_are_still_finished_in_the_inbox(limited, emulator, db):
    """As ``desmigratif run`` takes them: every ignored update is marked done as well."""
    pushed = [emulator.push(emulator.message_update(611, f"halo {n}")) for n in range(25)]
    async with polling(limited):  # on leaving: what was fetched is handled, marks written
        await until(lambda: len(emulator.bot_messages(611)) >= 21, within=60)
        await until(lambda: not emulator.pending, within=60)
    db.expire_all()
    found = await db.execute(select(InboxUpdate.update_id, InboxUpdate.status))
    assert dict(found.all()) == dict.fromkeys(pushed, "done")
    texts = [m.text for m in emulator.bot_messages(611)]
    assert len(texts) == 21  # 20 answers (onboarding's first question, then hints) …
    assert texts[-1] == tr("id", SLOW_DOWN)  # … and one "slow down"


async def test_a_burst_of_photos_while_describing_a_request_is_never_limited(
    limited_person, db, clock
):
    p = await villager(limited_person, 612)
    clock.advance(timedelta(seconds=10))
    await to_description(p)  # 6 updates
    for number in range(10):
        reply = await p.send("photo")
        sees(reply, "id", "Received. You can send more")
        reply = await p.say(f"Bagian {number}")
        sees(reply, "id", "Received. You can send more")
    await p.tap(label("id", "button", "Continue ▶️"))
    reply = await p.tap(label("id", "button", "✅ Send to the officers"))
    sees(reply, "id", "✅ <b>Your request is saved.</b>")  # 28 updates in the same instant
    [case] = await cases_of(db, await person_id(db, 612))
    assert len(case.attachments) == 10
    assert case.description == "\n\n".join(f"Bagian {n}" for n in range(10))
    # Out of the dialog, the limit applies again at once.
    reply = await p.say("/menu")
    assert [m.text for m in reply.messages] == [tr("id", SLOW_DOWN)]


async def test_the_limit_is_per_person(limited_person, clock):
    first = await villager(limited_person, 613)
    second = await villager(limited_person, 614)
    clock.advance(timedelta(seconds=10))
    for number in range(21):
        await first.say(f"halo {number}")
    assert (await first.say("halo")).messages == []
    reply = await second.say("halo")
    hello = tr("id", "Hello! I am the Desmigratif assistant. How can I help?")
    assert reply.text.startswith(hello)


def test_memory_is_bounded():
    window = SlidingWindow(2, 10.0, max_people=3)
    for person in (1, 2, 3):
        assert window.hit(person, 0.0)
    assert window.hit(1, 1.0)
    assert not window.hit(1, 2.0)
    assert window.hit(4, 3.0)  # a fourth person: the oldest entry (1) is dropped
    assert len(window) == 3
    assert window.hit(1, 4.0)  # forgotten, so served again
    assert window.hit(5, 20.0)  # a window later: everyone idle is dropped
    assert len(window) == 1


async def test_without_a_limit_nothing_is_counted(person, clock):
    """RATE_LIMIT_UPDATES=0 (the suite's setting) switches the limit off."""
    p = await villager(person, 615)
    for number in range(40):
        reply = await p.say(f"halo {number}")
        assert reply.messages, number
