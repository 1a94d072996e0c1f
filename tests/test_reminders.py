"""Reminders on the delivery engine: the right day, the person's own waking hours, and
only while they still apply."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.simulator import chat
from storage.models import Delivery
from tests.announcing import villager
from tests.test_checklist import set_up
from tests.transcript import label


def texts(emulator, chat_id):
    return [m.text for m in emulator.bot_messages(chat_id)]


async def sweep_at(clock, sweep, moment: datetime) -> None:
    """Move the clock to ``moment`` (UTC) and run due work, like the bot's job would."""
    clock.advance(moment - clock.now())
    await sweep()


def departure_reminders(emulator, chat_id, locale="id"):
    head = label(locale, "", "⏰ <b>Departure reminder</b> – departure: {date}", date="").split(
        "–"
    )[0]
    return [
        t
        for t in texts(emulator, chat_id)
        if t.startswith(head.replace("<b>", "").replace("</b>", "").strip())
    ]


@pytest.mark.parametrize(("zone_button", "utc_hour"), [(None, 2), ("Hong Kong", 1)])
async def test_departure_reminders_arrive_at_nine_local(
    person, emulator, clock, sweep, db, zone_button, utc_hour
):
    p = await villager(person, 1001, role="prospective")
    if zone_button:
        await p.say("/pengingat")
        await p.tap(label("id", "button", "🕒 Time zone"))
        await p.tap(label("id", "", zone_button))
    await set_up(p, departure="15-03-2027")
    # 30 days before 15 March is 13 February; 09:00 local.
    due = datetime(2027, 2, 13, utc_hour, 0, tzinfo=UTC)
    await sweep_at(clock, sweep, due - timedelta(minutes=1))
    assert not departure_reminders(emulator, 1001)
    await sweep_at(clock, sweep, due)
    reminders = departure_reminders(emulator, 1001)
    assert len(reminders) == 1
    assert label("id", "", "Passport") in reminders[0]
    assert "15 Maret 2027" in reminders[0]
    # 14 days before: 1 March, 09:00 local.
    await sweep_at(clock, sweep, datetime(2027, 3, 1, utc_hour, 0, tzinfo=UTC))
    assert len(departure_reminders(emulator, 1001)) == 2


async def test_no_reminder_for_ticked_items(person, emulator, clock, sweep):
    p = await villager(person, 1002, role="prospective")
    await set_up(p, departure="15-03-2027")
    for title in ("Passport", "Work visa, not tourist visa"):
        await p.tap("⬜ " + label("id", "", title))
        await p.tap(label("id", "button", "✅ Mark as done"))
    await sweep_at(clock, sweep, datetime(2027, 2, 13, 3, 0, tzinfo=UTC))
    assert not departure_reminders(emulator, 1002)
    await sweep_at(clock, sweep, datetime(2027, 3, 1, 3, 0, tzinfo=UTC))  # d14 still comes
    assert len(departure_reminders(emulator, 1002)) == 1


async def test_switched_off_means_none(person, emulator, clock, sweep):
    p = await villager(person, 1003, role="prospective")
    await set_up(p, departure="15-03-2027")
    await p.say("/pengingat")
    reply = await p.tap(label("id", "button", "🔕 Turn reminders off"))
    assert label("id", "", "Reminders are off.") in reply.text
    await sweep_at(clock, sweep, datetime(2027, 3, 20, 3, 0, tzinfo=UTC))
    assert not departure_reminders(emulator, 1003)
    reply = await p.tap(label("id", "button", "🔔 Turn reminders on"))
    assert label("id", "", "Reminders are on.") in reply.text
    # Planned again from now: the arrival report (22 March) still lies ahead.
    await sweep_at(clock, sweep, datetime(2027, 3, 22, 2, 0, tzinfo=UTC))
    office = label("id", "", "{office} (the Indonesian consulate)", office="KJRI Hong Kong")
    arrival = label("id", "", _reminder("a7").text, office=office)
    assert any(arrival in t for t in texts(emulator, 1003))


def _reminder(reminder_id):
    from bot.content.checklist import load_checklist

    return load_checklist().reminders[reminder_id]


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize(
    ("destination", "office", "kind"),
    [
        (
            "Taiwan",
            "KDEI Taipei",
            "{office} (Indonesia's office in Taiwan, in place of an embassy)",
        ),
        ("Malaysia", "KBRI Kuala Lumpur", "{office} (the Indonesian embassy)"),
    ],
)
async def test_arrival_reminder_names_the_office_of_the_destination(
    person, emulator, clock, sweep, locale, destination, office, kind
):
    p = await villager(person, 1010, locale=locale, role="prospective")
    await set_up(p, locale, destination=destination, sector="Factory work")
    # A week after the departure of 15 March: 22 March, 09:00 local at the latest.
    await sweep_at(clock, sweep, datetime(2027, 3, 22, 3, 0, tzinfo=UTC))
    named = label(locale, "", kind, office=office)
    arrival = label(locale, "", _reminder("a7").text, office=named)
    [sent] = [t for t in texts(emulator, 1010) if "peduliwni.kemlu.go.id" in t]
    assert arrival in sent
    assert office in sent
    if destination == "Taiwan":  # Taiwan has no embassy: never send people to a "KBRI"
        assert "KBRI" not in sent


async def test_replanned_when_the_departure_moves(person, emulator, clock, sweep, db):
    p = await villager(person, 1004, role="prospective")
    await set_up(p, departure="15-03-2027")
    await p.tap(label("id", "button", "⚙️ Change answers"))
    await p.tap(label("id", "scheme", "Via a licensed agency (P3MI)"))
    await p.tap(label("id", "", "Hong Kong"))
    await p.tap(label("id", "", "Domestic work and care"))
    await p.say("15-04-2027")
    await p.tap(label("id", "button", "Skip"))
    await sweep_at(clock, sweep, datetime(2027, 2, 13, 3, 0, tzinfo=UTC))
    assert not departure_reminders(emulator, 1004)
    await sweep_at(clock, sweep, datetime(2027, 3, 16, 2, 0, tzinfo=UTC))
    assert len(departure_reminders(emulator, 1004)) == 1
    due = (await db.scalars(select(Delivery.payload).where(Delivery.status == "sent"))).all()
    assert {"r": "d30"} in due


async def test_quiet_hours_wait_for_the_morning(person, emulator, clock, sweep, db):
    p = await villager(person, 1005, role="prospective")
    await set_up(p, departure="15-03-2027")
    # The bot was down at 09:00 and comes back at 22:00 WIB: too late in the day to send.
    await sweep_at(clock, sweep, datetime(2027, 2, 13, 15, 0, tzinfo=UTC))
    assert not departure_reminders(emulator, 1005)
    row = (
        await db.scalars(
            select(Delivery).where(Delivery.status == "pending").order_by(Delivery.due_at)
        )
    ).first()
    assert row.due_at == datetime(2027, 2, 13, 23, 0, tzinfo=UTC)  # 06:00 WIB
    await sweep_at(clock, sweep, datetime(2027, 2, 13, 23, 0, tzinfo=UTC))
    assert len(departure_reminders(emulator, 1005)) == 1


async def test_weekly_nudge_while_items_are_open(person, emulator, clock, sweep):
    p = await villager(person, 1006, role="prospective")
    await set_up(p, departure="15-06-2027")
    # Plural messages are looked up by their singular source.
    nudge = label("id", "", "📝 {n} item of your departure checklist is still open:", n=20)
    await sweep_at(clock, sweep, datetime(2026, 12, 8, 2, 0, tzinfo=UTC))
    assert sum(t.startswith(nudge.split(":")[0]) for t in texts(emulator, 1006)) == 1
    await sweep_at(clock, sweep, datetime(2026, 12, 14, 2, 0, tzinfo=UTC))
    assert sum(t.startswith(nudge.split(":")[0]) for t in texts(emulator, 1006)) == 1
    await sweep_at(clock, sweep, datetime(2026, 12, 15, 2, 0, tzinfo=UTC))
    assert sum(t.startswith(nudge.split(":")[0]) for t in texts(emulator, 1006)) == 2


async def test_reminder_in_the_current_language(person, emulator, clock, sweep, db):
    p = await villager(person, 1007, role="prospective")
    await set_up(p, departure="15-03-2027")
    await p.say("/bahasa")
    await p.tap("Basa Jawa")
    await sweep_at(clock, sweep, datetime(2027, 2, 13, 2, 0, tzinfo=UTC))
    assert len(departure_reminders(emulator, 1007, "jv")) == 1


async def test_settings_show_what_is_planned(person):
    p = await villager(person, 1008, role="prospective")
    await set_up(p, departure="15-03-2027")
    reply = await p.say("/pengingat")
    assert "13 Februari 2027" in reply.text
    # Plural messages are looked up by their singular source (id has one form).
    assert label("id", "", "{n} day before departure", n=30) in reply.text
    reply = await p.tap(label("id", "button", "🌙 Quiet hours"))
    reply = await p.tap("22:00–07:00")
    assert "22:00–07:00" in reply.text


async def test_simulator_shows_reminders_arriving(settings, tmp_path):
    script = "\n".join(
        [
            ":clock 01-12-2026 09:00",
            "/start",
            "[English]",
            "[Planning to work abroad]",
            "[Jogosimo (Klirong)]",
            "[I agree]",
            "/persiapan",
            "[Not sure yet]",
            "[Hong Kong]",
            "[Domestic work and care]",
            "15-03-2027",
            ":advance 73d",
            ":advance 1d",
        ]
    )
    out = io.StringIO()
    failures = await chat(
        settings, user_id=4242, language_code="en", script=io.StringIO(script), out=out
    )
    transcript = out.getvalue()
    assert failures == 0
    arrival = transcript.rindex("> :advance 1d")
    assert "Departure reminder" in transcript[arrival:]
    assert "Passport" in transcript[arrival:]
