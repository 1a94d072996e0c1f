"""Help-request content (issue 12): a held passport shows the emergency contacts first, an
urgent case's idle reminder comes after hours (a normal one after days), and a lost
contact older than ``lost_contact_urgent_after`` makes the request urgent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import Delivery
from tests.announcing import officer, villager
from tests.helping import FAMILY, HELP, ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.transcript import I18N, label, sees, tr

LOCALES = ("id", "jv")
DEADLINES = HELP.deadlines
BU = 1280  # officer of Jogosimo
CONTACTS = "<b>🚨 If someone is in danger now, call for help first:</b>"


# --- documents held: the contacts first ----------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
async def test_documents_held_shows_the_emergency_contacts_first(person, db, locale):
    p = await villager(person, 1201, locale=locale, role="abroad")
    await p.say("/tolong")
    reply = await p.tap(category_label(locale, "documents_held"))
    sees(reply, locale, CONTACTS)
    for number in ("110", "0800-1000", "+62 21 2924 4800", "129", "08111-129-129"):
        assert number in reply.text
    assert reply.buttons == [
        label(locale, "button", "Continue the request ▶️"),
        label(locale, "button", "« Back"),
        label(locale, "button", "✖️ Cancel the request"),
    ]
    reply = await p.tap(label(locale, "button", "Continue the request ▶️"))
    sees(reply, locale, "Who needs help?")
    await p.tap(label(locale, "button", "Me"))
    await p.tap(label(locale, "button", "Malaysia"))
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.say("Paspor saya ditahan majikan sejak saya datang.")
    reply = await p.tap(label(locale, "button", "Continue ▶️"))
    assert tr(locale, "🚨 URGENT") not in reply.text
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1201))
    # Contacts first, but not urgent by itself (help.yaml says why).
    assert (case.category, case.urgent) == ("documents_held", False)


# --- the idle reminder: hours for an urgent case, days for a normal one -----------------


async def idle_checks(db) -> list[tuple[object, str]]:
    db.expire_all()
    rows = await db.execute(
        select(Delivery.payload, Delivery.due_at, Delivery.status)
        .where(Delivery.kind == "case_deadline")
        .order_by(Delivery.id)
    )
    return [(due, status) for payload, due, status in rows.all() if payload["check"] == "idle"]


def idle_line(locale: str, *, urgent: bool) -> str:
    """The reminder's first line, as the officer sees it."""
    if urgent:
        hours = int(DEADLINES.urgent_idle_reminder.total_seconds() // 3600)
        text = I18N.translator(locale).ngettext(
            "⏰ <b>No action for {n} hour</b> on this urgent case you hold.",
            "⏰ <b>No action for {n} hours</b> on this urgent case you hold.",
            hours,
        )
    else:
        text = tr(
            locale,
            "⏰ <b>No action for {days} days</b> on this case you hold.",
            days=DEADLINES.idle_reminder.days,
        )
    return re.sub(r"<[^>]+>", "", text)


@pytest.mark.parametrize(
    ("category", "urgent", "idle_after"),
    [
        ("violence", True, timedelta(hours=4)),
        ("unpaid", False, timedelta(days=3)),
    ],
)
async def test_idle_reminder_is_due_hours_after_the_claim_when_urgent(
    app, person, emulator, sweep, clock, db, category, urgent, idle_after
):
    assert DEADLINES.idle_after(urgent) == idle_after  # the data file says so
    bu = await officer(app, person, BU, "jogosimo", locale="jv")
    p = await villager(person, 1202)
    await ask_for_help(p, category=category, for_whom="self")
    clock.advance(timedelta(minutes=10))
    await sweep()
    claimed_at = clock.now()
    await bu.press("cs:claim:1")
    [case] = await cases_of(db, await person_id(db, 1202))
    assert (case.urgent, case.status, case.last_action_at) == (urgent, "claimed", claimed_at)
    assert await idle_checks(db) == [(claimed_at + idle_after, "pending")]

    seen = len(emulator.bot_messages(BU))
    clock.advance(idle_after - timedelta(minutes=1))
    await sweep()
    line = idle_line("jv", urgent=urgent)
    assert [m for m in emulator.bot_messages(BU)[seen:] if line in m.text] == []
    clock.advance(timedelta(minutes=1))
    await sweep()
    [reminder] = [m for m in emulator.bot_messages(BU)[seen:] if line in m.text]
    assert "DM-2026-000001" in reminder.text
    # The next one is put off by the same span from now.
    assert await idle_checks(db) == [(claimed_at + 2 * idle_after, "pending")]


async def test_an_urgent_idle_reminder_counts_from_the_last_action(
    app, person, emulator, sweep, clock, db
):
    bu = await officer(app, person, BU, "jogosimo")
    p = await villager(person, 1203)
    await ask_for_help(p, category="trafficking", for_whom="self")
    await bu.press("cs:claim:1")
    clock.advance(timedelta(hours=3))
    await bu.press("cs:st:1:in_progress")
    acted_at = clock.now()
    clock.advance(timedelta(hours=1))  # four hours after the claim, one after the action
    await sweep()
    [case] = await cases_of(db, await person_id(db, 1203))
    assert case.last_action_at == acted_at
    assert await idle_checks(db) == [(acted_at + timedelta(hours=4), "pending")]


# --- lost contact: urgent past the threshold ----------------------------------------------


def range_label(locale: str, range_id: str) -> str:
    chosen = HELP.last_contact_range(range_id)
    assert chosen is not None
    return tr(locale, chosen.label)


async def lost_contact_request(p, locale: str, range_id: str, *, category="lost_contact"):
    """Walk a family's request, answering "last contact" with a range button."""
    await p.say("/tolong")
    await p.tap(category_label(locale, category))
    await p.tap(label(locale, "button", "A family member"))
    await p.say(FAMILY["name"])
    await p.tap(label(locale, "relationship", "daughter or son"))
    await p.say("Malaysia")
    await p.tap(label(locale, "button", "Skip ⏭"))
    reply = await p.tap(label(locale, "button", "Skip ⏭"))
    sees(reply, locale, "When did you last hear from them?")
    assert reply.buttons[:4] == [range_label(locale, r.id) for r in HELP.last_contact_ranges]
    assert label(locale, "button", "Skip ⏭") in reply.buttons
    reply = await p.tap(range_label(locale, range_id))
    sees(reply, locale, "Their phone or WhatsApp number, if you have it.")
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.say("Tidak ada kabar sama sekali.")
    return await p.tap(label(locale, "button", "Continue ▶️"))


def test_the_threshold_falls_on_the_start_of_a_range():
    threshold = HELP.lost_contact_urgent_after
    assert threshold == timedelta(days=14)
    starts = {r.id: r.start for r in HELP.last_contact_ranges}
    assert starts == {
        "week": timedelta(0),
        "weeks2": timedelta(days=7),
        "month": timedelta(days=14),
        "long": timedelta(days=30),
    }


@pytest.mark.parametrize(
    ("locale", "range_id", "urgent"),
    [
        ("id", "weeks2", False),  # 1 to 2 weeks: just under the threshold
        ("jv", "weeks2", False),
        ("id", "month", True),  # from 2 weeks: just at the threshold
        ("jv", "month", True),
        ("id", "long", True),
        ("id", "week", False),
    ],
)
async def test_lost_contact_past_the_threshold_is_urgent(person, db, locale, range_id, urgent):
    p = await villager(person, 1204, locale=locale)
    review = await lost_contact_request(p, locale, range_id)
    assert (tr(locale, "🚨 URGENT") in review.text) is urgent
    assert range_label(locale, range_id) in review.text
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1204))
    assert (case.category, case.urgent) == ("lost_contact", urgent)
    assert case.subject["last_contact"] == range_label(locale, range_id)


async def test_urgent_lost_contact_is_re_alerted_like_other_urgent_requests(
    app, person, emulator, sweep, clock, db
):
    await officer(app, person, BU, "jogosimo")
    p = await villager(person, 1205)
    await lost_contact_request(p, "id", "long")
    await p.tap(label("id", "button", "✅ Send to the officers"))
    rows = await db.execute(
        select(Delivery.payload, Delivery.due_at)
        .where(Delivery.kind == "case_deadline")
        .order_by(Delivery.id)
    )
    checks = [(payload["check"], due) for payload, due in rows.all()]
    now = clock.now()
    assert checks == [
        ("realert", now + DEADLINES.urgent_realert),
        ("escalate", now + DEADLINES.urgent_escalate),
    ]


async def test_a_long_lost_contact_in_another_category_is_not_urgent(person, db):
    p = await villager(person, 1206)
    await lost_contact_request(p, "id", "long", category="unpaid")
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1206))
    assert (case.category, case.urgent) == ("unpaid", False)


async def test_typed_last_contact_is_kept_and_decides_nothing(person, db):
    """Free text stays possible; typed words decide no urgency (they cannot be read)."""
    p = await villager(person, 1207)
    await ask_for_help(p, details={"last_contact": "sudah 2 bulan, terakhir lewat WhatsApp"})
    [case] = await cases_of(db, await person_id(db, 1207))
    assert case.subject["last_contact"] == "sudah 2 bulan, terakhir lewat WhatsApp"
    assert case.urgent is False
