"""The departure checklist in Javanese (issue 13): an item's page (its text, its "why",
its glossary notes), expiry dates typed the way people write them ("sesuk", "wulan
ngajeng", "Maret 2027"), and the expiry reminders and weekly nudges as the person
receives them, at 09:00 of their own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import ChecklistMark, Delivery
from tests.announcing import villager
from tests.people import person as person_id
from tests.test_checklist import set_up
from tests.transcript import label, sees

PASSPORT_PAGE = (
    "Paspor ⬜ dereng rampung\n\n"
    "Kenging menapa wigati: Panjenengan mbetahaken paspor kangge nyambut damel ing luar "
    "negeri. Paspor kemawon dereng cekap: panjenengan ugi mbetahaken visa kerja saha "
    "kontrak-kontrak panjenengan.\n\n"
    "Dipunurus wonten pundi: Kantor imigrasi, utawi loket imigrasi ing LTSA menawi kabupaten "
    "panjenengan gadhah LTSA. Dipunurus sasampunipun panjenengan ndaftar ing Disnaker.\n\n"
    "Biaya: Paspor ingkang kapisan kangge pekerja migran biayanipun Rp0, saha boten "
    "mbetahaken surat rekomendasi. Sumangga dipunpastekaken rumiyin ing kantor imigrasi utawi "
    "Disnaker saderengipun mbayar menapa kemawon.\n\n"
    "Tandha bebaya: Sawetawis pelaku perdagangan tiyang ngginakaken paspor ingkang nami utawi "
    "fotonipun dipunewahi. Sumangga mastekaken bilih sedaya data ing paspor panjenengan leres "
    "saha data panjenengan piyambak.{expiry}\n\n"
    "Disnaker: Kantor dinas tenaga kerja kabupaten. Ndaftar ing ngriku kangge nyambut damel "
    "ing luar negeri gratis.\n"
    "LTSA: Kantor layanan terpadu satu atap kangge pekerja migran ing kabupaten: "
    "pinten-pinten kantor wonten ing satunggal gedhung.\n"
    "Katrangan sedaya tembung: /istilah"
)
PAGE_BUTTONS = ["✅ Tandhani rampung", "📅 Isi tanggal masa laku", "« Daftar persiapan"]
ASK_EXPIRY = (
    "Laku dumugi tanggal pinten (Paspor)? Sumangga ketik tanggalipun, upaminipun 15-03-2030, "
    "utawi wulanipun, upaminipun Maret 2030."
)
SAVED = (
    "Sampun dipunsimpen. Kula badhe ngengetaken panjenengan 90 / 30 dinten saderengipun masa "
    "lakunipun telas."
)


async def prospective(person, user_id: int, departure: str = "15-03-2027"):
    p = await villager(person, user_id, locale="jv", role="prospective")
    await set_up(p, "jv", departure=departure)
    return p


async def test_an_item_page_in_javanese_with_its_why_and_glossary_notes(person, db):
    p = await prospective(person, 4001)
    reply = await p.tap("⬜ Paspor")
    assert reply.messages[-1].edited  # the checklist became the page
    assert reply.text == PASSPORT_PAGE.format(expiry="")
    assert reply.buttons == PAGE_BUTTONS
    reply = await p.tap("✅ Tandhani rampung")
    assert "✅ Paspor" in reply.buttons
    assert "Kemajengan: 1 / 20" in reply.text
    reply = await p.tap("✅ Paspor")
    assert reply.text.startswith("Paspor ✅ sampun rampung\n\n")
    assert reply.buttons == [
        "↩️ Tandhani dereng rampung",
        "📅 Isi tanggal masa laku",
        "« Daftar persiapan",
    ]
    mark = await db.get(ChecklistMark, (await person_id(db, 4001), "passport"))
    assert mark.ticked_at is not None
    assert mark.expires_on is None
    reply = await p.tap("« Daftar persiapan")
    assert reply.text.startswith("🧳 Daftar persiapan bidhal\n")


async def test_an_item_without_an_expiry_has_no_date_button(person):
    p = await prospective(person, 4002)
    reply = await p.tap("⬜ " + label("jv", "", "Register at Disnaker or LTSA"))
    assert reply.buttons == ["✅ Tandhani rampung", "« Daftar persiapan"]
    sees(reply, "jv", "<b>Why it matters:</b> {text}")
    # Its date button cannot be forged either.
    reply = await p.press("cl:x:disnaker-registration")
    assert reply.toast == "Tombol menika sampun boten saged dipunginakaken malih."


MONTH_ONLY = (
    "Panjenengan namung nyerat wulanipun, dados kula anggep laku dumugi {date}, dinten "
    "pungkasan wulan menika."
)


@pytest.mark.parametrize(
    ("typed", "expires", "shown", "month_only"),
    [
        ("Maret 2027", date(2027, 3, 31), "31 Maret 2027", True),
        ("wulan ngajeng", date(2027, 1, 31), "31 Januari 2027", True),
        ("maret 2030", date(2030, 3, 31), "31 Maret 2030", True),
        ("pungkasan Juni", date(2027, 6, 30), "30 Juni 2027", False),
        ("15/6/2027", date(2027, 6, 15), "15 Juni 2027", False),
        ("15 Juni 2027", date(2027, 6, 15), "15 Juni 2027", False),
    ],
)
async def test_expiry_dates_typed_in_javanese(person, db, typed, expires, shown, month_only):
    p = await prospective(person, 4003)
    await p.tap("⬜ Paspor")
    reply = await p.tap("📅 Isi tanggal masa laku")
    assert reply.text == ASK_EXPIRY
    reply = await p.say(typed)
    # Only the reminders still ahead are promised (end of January: the 90-day one is past).
    ahead = (expires - date(2026, 12, 1)).days > 90
    saved = SAVED if ahead else SAVED.replace("90 / ", "")
    notice = saved + ("\n" + MONTH_ONLY.format(date=shown) if month_only else "")
    assert reply.text == notice + "\n\n" + PASSPORT_PAGE.format(expiry=f"\n\nLaku dumugi: {shown}")
    assert reply.buttons == PAGE_BUTTONS
    db.expire_all()
    assert (
        await db.get(ChecklistMark, (await person_id(db, 4003), "passport"))
    ).expires_on == expires
    planned = (
        await db.scalars(
            select(Delivery.due_at)
            .where(Delivery.chat_id == 4003, Delivery.payload["expiry"].as_string() == "passport")
            .order_by(Delivery.due_at)
        )
    ).all()
    nine_wib = datetime(expires.year, expires.month, expires.day, 2, 0, tzinfo=UTC)
    expected = [nine_wib - timedelta(days=90), nine_wib - timedelta(days=30)]
    assert [d.replace(tzinfo=UTC) for d in planned] == [
        d for d in expected if d > datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    ]


@pytest.mark.parametrize("typed", ["sesuk", "benjing"])
async def test_tomorrow_typed_in_javanese_is_understood(person, db, typed):
    p = await prospective(person, 4004)
    await p.tap("⬜ Paspor")
    await p.tap("📅 Isi tanggal masa laku")
    reply = await p.say(typed)
    assert "Laku dumugi: 2 Desember 2026" in reply.text
    assert (
        await db.get(ChecklistMark, (await person_id(db, 4004), "passport"))
    ).expires_on == date(2026, 12, 2)


async def test_an_expiry_too_close_for_reminders_does_not_promise_them(person, db):
    p = await prospective(person, 4005)
    await p.tap("⬜ Paspor")
    await p.tap("📅 Isi tanggal masa laku")
    reply = await p.say("sesuk")
    planned = (await db.scalars(select(Delivery.payload).where(Delivery.chat_id == 4005))).all()
    assert not [payload for payload in planned if "expiry" in payload]  # nothing planned
    assert "90 / 30" not in reply.text  # so nothing promised


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("30-02-2030", "Tanggal menika boten wonten. Sumangga priksa tanggal saha wulanipun."),
        (
            "15-03-2025",
            "Tanggal menika sampun kaliwat. Sumangga ketik tanggal ingkang dereng kaliwat.",
        ),
        (
            "embuh",
            "Kula boten saged maos tanggal menika. Sumangga ketik kados makaten: 15-03-2027.",
        ),
    ],
)
async def test_an_expiry_date_that_cannot_be_right_is_asked_again(person, db, typed, problem):
    p = await prospective(person, 4006)
    await p.tap("⬜ Paspor")
    await p.tap("📅 Isi tanggal masa laku")
    reply = await p.say(typed)
    assert reply.text == problem + "\n\n" + ASK_EXPIRY
    assert (await db.get(ChecklistMark, (await person_id(db, 4006), "passport"))) is None


# --- reminders as received ------------------------------------------------------------------


def received(emulator, chat_id: int, start: str) -> list[str]:
    return [m.text for m in emulator.bot_messages(chat_id) if m.text.startswith(start)]


async def sweep_at(clock, sweep, moment: datetime) -> None:
    clock.advance(moment - clock.now())
    await sweep()


EXPIRY = (
    "📅 Masa laku Paspor panjenengan telas ing 30 Juni 2027, {n} dinten malih. Sumangga "
    "dipunperpanjang saderengipun telas, saha sampun ngantos dipunpasrahaken dhateng sinten "
    "kemawon supados dipunurusaken."
)


@pytest.mark.parametrize(("zone", "hour"), [(None, 2), ("Hong Kong", 1)])
async def test_expiry_reminders_arrive_in_javanese_at_nine_local(
    person, emulator, clock, sweep, db, zone, hour
):
    """The passport is valid through June 2027 (typed as a month): reminders 90 days (1 April)
    and 30 days (31 May) before 30 June, at 09:00 where the person is."""
    p = await prospective(person, 4010, departure="15-09-2027")
    if zone:
        await p.say("/pengingat")
        await p.tap("🕒 Zona wekdal")
        await p.tap(label("jv", "", zone))
    await p.say("/persiapan")
    await p.tap("⬜ Paspor")
    await p.tap("📅 Isi tanggal masa laku")
    await p.say("Juni 2027")
    reply = await p.say("/pengingat")
    assert "• 1 Apr 2027: pangeling-eling — Paspor telas masa lakunipun ing 30 Jun 2027\n" in (
        reply.text + "\n"
    )
    first = datetime(2027, 4, 1, hour, 0, tzinfo=UTC)
    await sweep_at(clock, sweep, first - timedelta(minutes=1))
    assert received(emulator, 4010, "📅") == []
    await sweep_at(clock, sweep, first)
    assert received(emulator, 4010, "📅") == [EXPIRY.format(n=90)]
    second = datetime(2027, 5, 31, hour, 0, tzinfo=UTC)
    await sweep_at(clock, sweep, second - timedelta(minutes=1))
    assert len(received(emulator, 4010, "📅")) == 1
    await sweep_at(clock, sweep, second)
    assert received(emulator, 4010, "📅") == [EXPIRY.format(n=90), EXPIRY.format(n=30)]
    rows = (
        await db.execute(select(Delivery.payload, Delivery.status).where(Delivery.chat_id == 4010))
    ).all()
    assert {(str(payload), status) for payload, status in rows if "expiry" in payload} == {
        ("{'expiry': 'passport', 'days': 90}", "sent"),
        ("{'expiry': 'passport', 'days': 30}", "sent"),
    }


NUDGE = (
    "📝 Taksih wonten 19 bab ing daftar persiapan bidhal ingkang dereng rampung:\n"
    "• Surat status perkawinan\n"
    "• Idin garwa/tiyang sepuh\n"
    "• Ndaftar ing Disnaker/LTSA\n"
    "• Ijazah, menawi perlu\n"
    "• Paspor\n\n"
    "/persiapan mbikak daftar persiapan panjenengan; /pengingat kangge ngewahi "
    "pangeling-eling."
)


async def test_weekly_nudges_arrive_in_javanese_every_seven_days(person, emulator, clock, sweep):
    p = await prospective(person, 4011, departure="Juni 2027")
    await p.tap("⬜ KTP saha Kartu Keluarga (KK)")
    await p.tap("✅ Tandhani rampung")
    nudges = lambda: received(emulator, 4011, "📝")  # noqa: E731
    # The first a week after the set-up (8 December), 09:00 WIB.
    await sweep_at(clock, sweep, datetime(2026, 12, 8, 1, 59, tzinfo=UTC))
    assert nudges() == []
    await sweep_at(clock, sweep, datetime(2026, 12, 8, 2, 0, tzinfo=UTC))
    assert nudges() == [NUDGE]
    await sweep_at(clock, sweep, datetime(2026, 12, 15, 1, 59, tzinfo=UTC))
    assert len(nudges()) == 1
    await sweep_at(clock, sweep, datetime(2026, 12, 15, 2, 0, tzinfo=UTC))
    assert nudges() == [NUDGE, NUDGE]


async def test_no_nudge_once_everything_is_done_or_reminders_are_off(
    person, emulator, clock, sweep, db
):
    p = await prospective(person, 4012)
    await p.say("/pengingat")
    await p.tap("🔕 Kendelaken pangeling-eling")
    await sweep_at(clock, sweep, datetime(2026, 12, 22, 2, 0, tzinfo=UTC))
    assert received(emulator, 4012, "📝") == []
    await p.tap("🔔 Aktifaken pangeling-eling")
    await sweep_at(clock, sweep, datetime(2026, 12, 29, 2, 0, tzinfo=UTC))
    assert len(received(emulator, 4012, "📝")) == 1
