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
    db.expire_all()
    planned = (
        await db.execute(
            select(Delivery.payload, Delivery.due_at)
            .where(Delivery.chat_id == 1001, Delivery.kind == "reminder")
            .order_by(Delivery.due_at)
        )
    ).all()
    # Each reminder on its day (30, 14, 7, 1 days before the departure of 15 March, 7 after),
    # at 09:00 local; the checklist nudge a week after today (1 December).
    assert [(r.payload, r.due_at) for r in planned] == [
        ({"nudge": 1}, datetime(2026, 12, 8, utc_hour, 0, tzinfo=UTC)),
        ({"r": "d30"}, datetime(2027, 2, 13, utc_hour, 0, tzinfo=UTC)),
        ({"r": "d14"}, datetime(2027, 3, 1, utc_hour, 0, tzinfo=UTC)),
        ({"r": "d7"}, datetime(2027, 3, 8, utc_hour, 0, tzinfo=UTC)),
        ({"r": "d1"}, datetime(2027, 3, 14, utc_hour, 0, tzinfo=UTC)),
        ({"r": "a7"}, datetime(2027, 3, 22, utc_hour, 0, tzinfo=UTC)),
    ]
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
    # Taiwan has no embassy: never send people to a "KBRI" there (Malaysia's office is one).
    assert ("KBRI" in sent) == (destination == "Malaysia")


async def test_replanned_when_the_departure_moves(person, emulator, clock, sweep, db):
    p = await villager(person, 1004, role="prospective")
    await set_up(p, departure="15-03-2027")
    await p.tap(label("id", "button", "⚙️ Change answers"))
    await p.tap(label("id", "button", "📅 Departure date"))
    await p.say("15-04-2027")
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
    assert "13 Feb 2027" in reply.text
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


# --- what /pengingat lists, nudges around departure, reminders after downtime -------------


async def _prepare(person, user_id, locale, departure, expiry=None):
    p = await villager(person, user_id, locale=locale, role="prospective")
    await set_up(p, locale, departure=departure)
    if expiry is not None:
        await p.tap("⬜ " + label(locale, "", "Passport"))
        await p.tap(label(locale, "button", "📅 Enter the expiry date"))
        await p.say(expiry)
    return p


async def _rows(db, chat_id):
    db.expire_all()
    found = await db.execute(
        select(Delivery.payload, Delivery.status, Delivery.error, Delivery.due_at)
        .where(Delivery.chat_id == chat_id)
        .order_by(Delivery.due_at, Delivery.id)
    )
    return [tuple(row) for row in found.all()]


LIST = {
    "id": (
        "Pengingat berikutnya:\n"
        "• 8 Des 2026: pengingat — butir daftar persiapan yang belum selesai\n"
        "• 16 Jan 2027: pengingat — Paspor habis masa berlakunya pada 15 Feb 2027\n"
        "• 13 Feb 2027: pengingat — 30 hari sebelum berangkat\n"
        "• 1 Mar 2027: pengingat — 14 hari sebelum berangkat\n"
        "• 8 Mar 2027: pengingat — 7 hari sebelum berangkat"
    ),
    "jv": (
        "Pangeling-eling salajengipun:\n"
        "• 8 Des 2026: pangeling-eling — bab ingkang dereng rampung ing daftar persiapan\n"
        "• 16 Jan 2027: pangeling-eling — Paspor telas masa lakunipun ing 15 Feb 2027\n"
        "• 13 Feb 2027: pangeling-eling — 30 dinten saderengipun bidhal\n"
        "• 1 Mar 2027: pangeling-eling — 14 dinten saderengipun bidhal\n"
        "• 8 Mar 2027: pangeling-eling — 7 dinten saderengipun bidhal"
    ),
}
FOOTER = {
    "id": "/persiapan membuka daftar persiapan Anda; /pengingat untuk mengubah pengingat.",
    "jv": "/persiapan mbikak daftar persiapan panjenengan; /pengingat kangge ngewahi "
    "pangeling-eling.",
}
HEAD = {
    "id": "⏰ Pengingat keberangkatan – berangkat: 15 Maret 2027\n\n",
    "jv": "⏰ Pangeling-eling bidhal – bidhal: 15 Maret 2027\n\n",
}
D14 = {
    "id": "Tinggal dua minggu lagi. Apakah Anda sudah mengikuti Orientasi Pra Pemberangkatan "
    "(OPP) di BP3MI atau di tempat yang ditunjuk Disnaker? Apakah Anda sudah terdaftar di "
    "BPJS Ketenagakerjaan untuk JKK dan JKM? Keduanya wajib sebelum Anda berangkat.\n\n"
    "Yang masih harus dilakukan:\n• OPP, sidik jari, dan ID PMI\n• BPJS Ketenagakerjaan",
    "jv": "Kantun kalih minggu. Menapa panjenengan sampun tumut orientasi pra-pemberangkatan "
    "(OPP) ing BP3MI utawi ing papan ingkang dipuntedahaken Disnaker? Menapa sampun ndaftar "
    "BPJS Ketenagakerjaan kangge JKK saha JKM? Kalih-kalihipun kedah wonten saderengipun "
    "panjenengan bidhal.\n\n"
    "Taksih kedah dipunurus:\n• OPP, sidik driji saha ID PMI\n• BPJS Ketenagakerjaan",
}
D7 = {
    "id": "Tinggal satu minggu lagi. Berikan kepada keluarga salinan paspor, visa, dan kontrak "
    "Anda. Simpan nomor 0800-1000, polisi 110, dan SAPA 129 di HP Anda, lalu pasang aplikasi "
    "Safe Travel dari Kemlu.\n\n"
    "Yang masih harus dilakukan:\n• Salinan dokumen ke keluarga\n• Simpan nomor bantuan di HP",
    "jv": "Kantun satunggal minggu. Sukani kulawarga salinan paspor, visa saha kontrak "
    "panjenengan. Simpen 0800-1000, polisi 110 saha SAPA 129 ing HP panjenengan, saha pasang "
    "aplikasi Safe Travel saking Kemlu.\n\n"
    "Taksih kedah dipunurus:\n• Paringi kulawarga salinan\n• Simpen nomer pitulungan",
}
D30 = {
    "id": "Sekitar 30 hari lagi Anda berangkat. Apakah Anda sudah punya paspor dan visa kerja? "
    "Visa turis, visa kunjungan, atau visa umrah tidak pernah sah untuk bekerja. Jika ada yang "
    "kurang, tanyakan ke Disnaker atau telepon 0800-1000.\n\n"
    "Yang masih harus dilakukan:\n• Paspor\n• Visa kerja, bukan visa turis",
    "jv": "Panjenengan badhe bidhal watawis 30 dinten malih. Menapa paspor saha visa kerja "
    "sampun wonten? Visa turis, visa kunjungan utawi visa umrah boten nate sah kangge nyambut "
    "damel. Menawi wonten ingkang kirang, takenaken dhateng Disnaker utawi telpon 0800-1000."
    "\n\nTaksih kedah dipunurus:\n• Paspor\n• Visa kerja, sanes visa turis",
}
NUDGE = {
    "id": "📝 Masih ada 20 butir daftar persiapan keberangkatan Anda yang belum selesai:\n"
    "• KTP dan Kartu Keluarga (KK)\n• Surat status perkawinan\n• Izin pasangan atau orang tua"
    "\n• Daftar di Disnaker atau LTSA\n• Ijazah, jika diperlukan\n\n",
    "jv": "📝 Taksih wonten 20 bab ing daftar persiapan bidhal ingkang dereng rampung:\n"
    "• KTP saha Kartu Keluarga (KK)\n• Surat status perkawinan\n• Idin garwa/tiyang sepuh\n"
    "• Ndaftar ing Disnaker/LTSA\n• Ijazah, menawi perlu\n\n",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_list_names_the_reminder_day_and_the_expiry_date(person, locale):
    # The passport runs out on 15 Feb 2027; its 30-day reminder is on 16 Jan 2027.
    p = await _prepare(person, 1100, locale, "15-03-2027", expiry="15-02-2027")
    reply = await p.say("/pengingat")
    assert reply.text.endswith("\n" + LIST[locale])


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize(
    ("back_at", "goes", "left_out"),
    [
        # Edge: 15 days late, the 30-day one still goes the day before the 14-day one's.
        (datetime(2027, 2, 28, 2, 0, tzinfo=UTC), D30, []),
        # Edge: on the 14-day one's day, both are due and only the 14-day one goes.
        (datetime(2027, 3, 1, 2, 0, tzinfo=UTC), D14, ["d30"]),
        # Two days before departure: never "about 30 days left".
        (datetime(2027, 3, 13, 2, 0, tzinfo=UTC), D7, ["d30", "d14"]),
    ],
)
async def test_after_downtime_only_the_reminder_that_still_makes_sense_goes(
    person, emulator, clock, sweep, db, locale, back_at, goes, left_out
):
    """The bot is down from before 13 Feb (the 30-day reminder) until ``back_at`` (09:00)."""
    await _prepare(person, 1104, locale, "15-03-2027")
    await sweep_at(clock, sweep, back_at)
    assert departure_reminders(emulator, 1104, locale) == [
        HEAD[locale] + goes[locale] + "\n\n" + FOOTER[locale]
    ]
    rows = await _rows(db, 1104)
    assert [row[0]["r"] for row in rows if row[1:3] == ("skipped", "overtaken")] == left_out
    assert len([row for row in rows if "r" in row[0] and row[1] == "sent"]) == 1


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_nudges_stop_after_departure(person, emulator, clock, sweep, db, locale):
    await _prepare(person, 1106, locale, "15-12-2026")
    nudges = lambda: [t for t in texts(emulator, 1106) if t.startswith("📝")]  # noqa: E731
    await sweep_at(clock, sweep, datetime(2026, 12, 8, 2, 0, tzinfo=UTC))
    assert nudges() == [NUDGE[locale] + FOOTER[locale]]
    # Edge: the departure day itself still gets its nudge; none is planned after it.
    await sweep_at(clock, sweep, datetime(2026, 12, 15, 2, 0, tzinfo=UTC))
    assert len(nudges()) == 2
    pending = [row[0] for row in await _rows(db, 1106) if row[1] == "pending"]
    assert {"nudge": 1} not in pending
    await sweep_at(clock, sweep, datetime(2026, 12, 29, 2, 0, tzinfo=UTC))
    assert len(nudges()) == 2


async def test_nudge_found_after_departure_is_not_sent(person, emulator, clock, sweep, db):
    await _prepare(person, 1107, "jv", "08-12-2026")
    # The nudge is due on the departure day (8 Dec); the bot is down until the day after.
    await sweep_at(clock, sweep, datetime(2026, 12, 9, 2, 0, tzinfo=UTC))
    assert not [t for t in texts(emulator, 1107) if t.startswith("📝")]
    assert not departure_reminders(emulator, 1107, "jv")  # the 1-day one came too late
    rows = {str(row[0]): row[1:3] for row in await _rows(db, 1107)}
    assert rows["{'nudge': 1}"] == ("skipped", "departed")
    assert rows["{'r': 'd1'}"] == ("skipped", "overtaken")


EXPIRY = {
    "id": "📅 Masa berlaku Paspor Anda habis pada 15 Juni 2027, {n} hari lagi. Perpanjang tepat "
    "waktu, dan jangan pernah menyerahkannya kepada orang lain untuk diperpanjang.",
    "jv": "📅 Masa laku Paspor panjenengan telas ing 15 Juni 2027, {n} dinten malih. Sumangga "
    "dipunperpanjang saderengipun telas, saha sampun ngantos dipunpasrahaken dhateng sinten "
    "kemawon supados dipunurusaken.",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize(
    ("back_at", "days_left", "skipped"),
    [
        # Edge: the day before the 30-day one's day (16 May), the 90-day one still goes,
        # saying how many days are really left.
        (datetime(2027, 5, 15, 2, 0, tzinfo=UTC), 31, []),
        # Edge: on the 30-day one's day, only that one goes.
        (datetime(2027, 5, 16, 2, 0, tzinfo=UTC), 30, [(90, "overtaken")]),
        # Edge: the day before the expiry date, the 30-day one still goes.
        (datetime(2027, 6, 14, 2, 0, tzinfo=UTC), 1, [(90, "overtaken")]),
        # Edge: from the expiry date on, never "days left": none goes.
        (datetime(2027, 6, 15, 2, 0, tzinfo=UTC), None, [(90, "expired"), (30, "expired")]),
    ],
)
async def test_after_downtime_only_the_expiry_reminder_that_still_makes_sense_goes(
    person, emulator, clock, sweep, db, locale, back_at, days_left, skipped
):
    """The passport runs out on 15 June 2027: reminders on 17 March (90 days) and 16 May
    (30 days), 09:00 Jakarta. The bot is down from before 17 March until ``back_at``."""
    await _prepare(person, 1108, locale, "15-03-2027", expiry="15-06-2027")
    rows = [row for row in await _rows(db, 1108) if "expiry" in row[0]]
    assert [(row[0], row[3]) for row in rows] == [
        ({"expiry": "passport", "days": 90}, datetime(2027, 3, 17, 2, 0, tzinfo=UTC)),
        ({"expiry": "passport", "days": 30}, datetime(2027, 5, 16, 2, 0, tzinfo=UTC)),
    ]
    await sweep_at(clock, sweep, back_at)
    sent = [t for t in texts(emulator, 1108) if t.startswith("📅")]
    assert sent == ([] if days_left is None else [EXPIRY[locale].format(n=days_left)])
    rows = [row for row in await _rows(db, 1108) if "expiry" in row[0]]
    assert [(row[0]["days"], row[2]) for row in rows if row[1] == "skipped"] == skipped
    assert len([row for row in rows if row[1] == "sent"]) == (0 if days_left is None else 1)
