"""A Javanese-speaking officer's cases (issue 13): reassigning, escalating, linking a
family's request with the migrant's own, the history, and the deadline notices (urgent
re-alert, escalation, idle reminders) as they arrive. The same in English, with every
refusal, is in ``test_officer_cases.py``; here the words are checked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.announcing import officer, villager
from tests.helping import ask_for_help
from tests.people import person as known
from tests.test_officer_cases import (
    Inbox,
    data_of,
    deliver,
    events_of,
    one,
    snapshot,
    stored_case,
)
from tests.transcript import label, sees

REQUESTER, MIGRANT = 1601, 1602
BU, BU2, ELSEWHERE, KAB = 1680, 1682, 1681, 1683
REF, REF2 = "DM-2026-000001", "DM-2026-000002"
HEADING = f"{REF} · 📵 Kecalan kabar\nDesa: Jogosimo (Klirong, Kebumen)"
URGENT = f"{REF} · 🚨 DARURAT · 🤕 Kekerasan utawi panganiaya\nDesa: Jogosimo (Klirong, Kebumen)"
DESCRIPTION = "Sampun tigang minggu boten wonten kabar. Agensinipun boten mangsuli telpon."
EXPIRED = "Tombol menika sampun boten saged dipunginakaken malih."


async def staff(app, person, *areas: tuple[int, str]):
    return [await officer(app, person, user_id, area, locale="jv") for user_id, area in areas]


async def javanese_request(person, sweep, *, user_id=REQUESTER, category="lost_contact"):
    warga = await villager(person, user_id, locale="jv")
    await ask_for_help(warga, locale="jv", category=category, description=DESCRIPTION)
    await sweep()
    return warga


def first_paragraph(text: str) -> str:
    return text.split("\n\n", 1)[0]


# --- reassigning ------------------------------------------------------------------------


async def test_reassign_in_javanese(app, person, emulator, sweep, db):
    bu, bu2, elsewhere, _kab = await staff(
        app,
        person,
        (BU, "jogosimo"),
        (BU2, "jogosimo"),
        (ELSEWHERE, "tanggulangin"),
        (KAB, "kebumen"),
    )
    await javanese_request(person, sweep)
    await bu.tap(label("jv", "button", "🙋 Claim"))
    reply = await bu.tap("👥 Pasrahaken petugas sanes")
    assert reply.text == f"{REF} badhe dipunpasrahaken dhateng petugas pundi?"
    ids = {user_id: await known(db, user_id) for user_id in (BU, BU2, ELSEWHERE, KAB)}
    assert data_of(bu.last_with_buttons()) == {
        f"{BU2} · Desa Jogosimo": f"cs:ra:1:{ids[BU2]}",
        f"{KAB} · Kabupaten Kebumen": f"cs:ra:1:{ids[KAB]}",
        "« Wangsul dhateng kasus": "cs:v:1",
    }
    colleague = Inbox(emulator, BU2)
    reply = await bu.tap(f"{BU2} · Desa Jogosimo")
    assert first_paragraph(reply.text) == (
        "Sampun dipunpasrahaken dhateng petugas sanes. Petugasipun sampun dipunkabari."
    )
    assert f"Ingkang nangani: {BU2} (Desa Jogosimo)" in reply.text
    notice = await one(sweep, colleague)
    assert notice.text == (
        f"👥 Kasus menika dipunpasrahaken dhateng panjenengan.\n{HEADING}\n🙋 Sampun dipuntangani"
    )
    assert data_of(notice) == {"📂 Bikak kasus": "cs:v:1"}
    reply = await bu2.tap("📂 Bikak kasus")
    assert "Ingkang nangani: panjenengan" in reply.text
    assert "✉️ Pesen kangge ingkang nyuwun" in reply.buttons
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id) == ("claimed", ids[BU2])
    assert [e for e in await events_of(db) if e[0] == "reassigned"] == [
        ("reassigned", ids[BU], {"before": ids[BU], "after": ids[BU2]})
    ]

    # An officer of another village cannot take it with a forged button.
    before = (snapshot(await stored_case(db)), await events_of(db))
    reply = await elsewhere.press(f"cs:ra:1:{ids[ELSEWHERE]}")
    assert reply.toast == EXPIRED
    sees(reply, "jv", "That button is no longer valid. Here is where we are:")
    assert (snapshot(await stored_case(db)), await events_of(db)) == before


# --- escalating -------------------------------------------------------------------------


async def test_escalate_in_javanese(app, person, emulator, sweep, db):
    bu, _bu2, kab = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"), (KAB, "kebumen"))
    await javanese_request(person, sweep)
    requester, district, colleague = (Inbox(emulator, c) for c in (REQUESTER, KAB, BU2))
    await bu.tap("📂 Bikak kasus")
    reply = await bu.tap("⬆️ Aturaken dhateng kabupaten")
    assert reply.text == (
        f"{REF}\nKenging menapa kasus menika kedah dipuntangani kabupaten? Satunggal utawi "
        "kalih ukara."
    )
    assert reply.buttons == ["✖️ Batal"]
    # Something that is not a reason is refused, in Javanese, and nothing happens.
    reply = await bu.send("sticker")
    assert first_paragraph(reply.text) == "Sumangga dipunketik mawi teks."
    assert reply.buttons == ["✖️ Batal"]
    assert (await stored_case(db)).level == "village"

    reason = "Agensinipun wonten ing Jakarta; kabupaten langkung gampil ngubungi."
    reply = await bu.say(reason)
    assert first_paragraph(reply.text) == (
        "⬆️ Sampun dipunaturaken. Petugas kabupaten sampun dipunkabari."
    )
    assert "⬆️ Aturaken dhateng kabupaten" not in reply.buttons
    case = await stored_case(db)
    assert (case.level, case.status) == ("district", "new")
    assert (await events_of(db))[-1] == ("escalated", await known(db, BU), {"reason": reason})

    to_requester, to_district, to_colleague = await deliver(sweep, requester, district, colleague)
    [notice] = to_district
    lines = notice.text.splitlines()
    assert lines[:4] == [
        "⬆️ Dipunaturaken dhateng petugas kabupaten",
        *HEADING.splitlines(),
        "⬆️ Dipunaturaken dhateng kabupaten",
    ]
    assert lines[-2:] == [f"Alasan: {reason}", f"Ringkesan: {DESCRIPTION}"]
    assert notice.button_labels() == ["🙋 Kula tangani", "📂 Bikak kasus"]
    [told] = to_requester
    assert told.text == (
        f"Panyuwunan panjenengan {REF} gadhah status enggal:\n"
        "📨 Sampun dipuntampi: ngentosi petugas\n"
        "Panyuwunan menika sampun dipunaturaken dhateng petugas Disnaker kabupaten."
    )
    assert to_colleague == []
    reply = await kab.tap("🙋 Kula tangani")
    assert first_paragraph(reply.text) == (
        "✅ Sapunika panjenengan ingkang nangani kasus menika. Ingkang nyuwun pitulungan "
        "sampun dipunkabari."
    )
    assert (await stored_case(db)).assigned_officer_id == await known(db, KAB)


# --- linking a family's request with the migrant's own ----------------------------------

LINK_PROMPT = (
    f"{REF}\nKetik nomer referensi panyuwunan ingkang dipunkintun piyambak dening pekerja "
    "migranipun (upaminipun DM-2026-000123). Pekerja migranipun badhe dipuntakeni rumiyin "
    "menapa sarujuk saderengipun panyuwunan-panyuwunan menika dipunsambungaken."
)
QUESTION = (
    "Pitakenan cekak saking layanan desa Desmigratif: menapa petugas kepareng nggabungaken "
    "kalih cathetan, supados saged ngladosi panjenengan langkung sae?"
)


@pytest.mark.parametrize("answer", ["Inggih", "Boten"])
async def test_link_in_javanese(app, person, emulator, sweep, db, answer):
    [bu] = await staff(app, person, (BU, "jogosimo"))
    await javanese_request(person, sweep)
    migrant = await villager(person, MIGRANT, locale="jv", role="abroad")
    await ask_for_help(migrant, locale="jv", for_whom="self", description="Gaji kula dipuntahan.")
    await sweep()
    office, asked = Inbox(emulator, BU), Inbox(emulator, MIGRANT)

    await bu.press("cs:v:1")
    reply = await bu.tap("🔗 Gandheng panyuwunan migran")
    assert reply.text == LINK_PROMPT
    reply = await bu.send("photo")
    assert reply.text == f"Sumangga dipunketik mawi teks.\n\n{LINK_PROMPT}"
    reply = await bu.say("DM-2026-000099")
    assert first_paragraph(reply.text) == (
        "Boten wonten panyuwunan kanthi nomer referensi menika ing wilayah panjenengan. "
        "Tuladha: DM-2026-000123"
    )
    reply = await bu.say(f"Panyuwunanipun piyambak {REF2.lower()}")
    assert first_paragraph(reply.text) == (
        "🔗 Pekerja migranipun dipuntakeni menapa sarujuk. Panjenengan badhe dipunkabari "
        "wangsulanipun."
    )
    question = await one(sweep, asked)
    assert question.text == QUESTION
    assert question.button_labels() == ["Inggih", "Boten", "🔕 Sampun ngantos kontak mriki"]

    reply = await migrant.tap(answer)
    told = await one(sweep, office)
    links = [(await stored_case(db, i)).linked_request_id for i in (1, 2)]
    if answer == "Inggih":
        assert first_paragraph(reply.text) == (
            "Matur nuwun. Sapunika petugas saged mirsani kalih panyuwunan menika sesarengan."
        )
        assert told.text.splitlines()[:3] == [
            "🔗 Dipunsambungaken kaliyan panyuwunan pekerja migranipun piyambak.",
            *HEADING.splitlines(),
        ]
        assert links == [2, 1]
        reply = await bu.tap("📂 Bikak kasus")
        assert f"🔗 Dipunsambungaken kaliyan panyuwunan no. {REF2}" in reply.text
        assert "🔗 Gandheng panyuwunan migran" not in reply.buttons
    else:
        assert first_paragraph(reply.text) == (
            "Inggih: panyuwunan-panyuwunan menika tetep piyambak-piyambak."
        )
        assert told.text.splitlines()[:3] == [
            "🔗 Pekerja migranipun boten sarujuk panyuwunan-panyuwunan menika dipunsambungaken.",
            *HEADING.splitlines(),
        ]
        assert links == [None, None]
    # The family never learns of the migrant's own request.
    assert all(REF2 not in m.text for m in emulator.bot_messages(REQUESTER))


# --- history ----------------------------------------------------------------------------


async def test_history_in_javanese(app, person, emulator, sweep, db, clock):
    [bu] = await staff(app, person, (BU, "jogosimo"))
    warga = await javanese_request(person, sweep)
    clock.advance(timedelta(minutes=20))
    await bu.tap(label("jv", "button", "🙋 Claim"))
    clock.advance(timedelta(hours=1))
    await bu.tap("✉️ Pesen kangge ingkang nyuwun")
    await bu.say("Sugeng enjing, Bu. Asmanipun majikan sinten?")
    await sweep()
    await warga.tap(label("jv", "button", "↩️ Reply"))
    await warga.say("Pak Tan, ing Cheras.")
    clock.advance(timedelta(days=1))
    await bu.press("cs:v:1")
    await bu.tap("📝 Cathetan internal")
    await bu.say("Telpon agensi dinten Senin.")
    await bu.tap("⏳ Ngentosi ingkang nyuwun")
    office = Inbox(emulator, BU)
    reply = await bu.tap("📜 Riwayat")
    assert "Ingkang nangani: panjenengan" in reply.text
    [history] = [m.text for m in office.new() if m.text.startswith("Riwayat")]
    assert history == HISTORY


HISTORY = f"""Riwayat {REF}
1 Desember 2026, 09:00 · ingkang nyuwun pitulungan · panyuwunan dipunkintun
1 Desember 2026, 09:20 · {BU} · status: 🆕 Enggal, dereng dipuntangani → 🙋 Sampun dipuntangani
1 Desember 2026, 10:20 · {BU} · status: 🙋 Sampun dipuntangani → 🔧 Saweg dipunproses
1 Desember 2026, 10:20 · {BU} · pesen
1 Desember 2026, 10:20 · ingkang nyuwun pitulungan · pesen
2 Desember 2026, 10:20 · {BU} · cathetan internal
2 Desember 2026, 10:20 · {BU} · status: 🔧 Saweg dipunproses → ⏳ Ngentosi ingkang nyuwun \
pitulungan

Pesen
1 Desember 2026, 10:20 · Petugas → ingkang nyuwun pitulungan: Sugeng enjing, Bu. Asmanipun \
majikan sinten?
1 Desember 2026, 10:20 · Ingkang nyuwun pitulungan: Pak Tan, ing Cheras.
2 Desember 2026, 10:20 · Cathetan internal: Telpon agensi dinten Senin."""


# --- deadlines --------------------------------------------------------------------------

ESCALATED = "⬆️ Dipunaturaken dhateng petugas kabupaten"


async def test_an_urgent_case_realerts_escalates_and_reminds_in_javanese(
    app, person, emulator, sweep, clock, db
):
    _bu, kab = await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await javanese_request(person, sweep, category="violence")
    assert (await stored_case(db)).urgent
    village, district, requester = (Inbox(emulator, c) for c in (BU, KAB, REQUESTER))

    clock.advance(timedelta(minutes=29))
    assert await deliver(sweep, village, district, requester) == [[], [], []]
    clock.advance(timedelta(minutes=1))
    [realert], [], [] = await deliver(sweep, village, district, requester)
    assert realert.text.splitlines()[:3] == [
        "⏰ Dereng wonten ingkang nangani sasampunipun 30 menit: sumangga dipuntangani panyuwunan "
        "darurat menika.",
        *URGENT.splitlines(),
    ]
    assert realert.button_labels() == ["🙋 Kula tangani", "📂 Bikak kasus"]

    clock.advance(timedelta(minutes=90))
    [], [escalated], [told] = await deliver(sweep, village, district, requester)
    lines = escalated.text.splitlines()
    assert lines[:4] == [ESCALATED, *URGENT.splitlines(), "⬆️ Dipunaturaken dhateng kabupaten"]
    assert "Boten wonten petugas ingkang nangani salebetipun 2 jam." in lines
    assert lines[-1] == f"Ringkesan: {DESCRIPTION}"
    assert told.text.endswith(
        "Panyuwunan menika sampun dipunaturaken dhateng petugas Disnaker kabupaten."
    )
    case = await stored_case(db)
    assert (case.level, case.status) == ("district", "new")
    assert (await events_of(db))[-1] == ("escalated", None, {"reason": "", "hours": 2})

    # Claimed by the district: an urgent case held 4 hours without action is reminded.
    await kab.tap("🙋 Kula tangani")
    await deliver(sweep, district)
    clock.advance(timedelta(hours=4) - timedelta(minutes=1))
    assert await deliver(sweep, village, district) == [[], []]
    clock.advance(timedelta(minutes=1))
    [], [idle] = await deliver(sweep, village, district)
    assert idle.text == (
        "⏰ Boten wonten tindakan salebetipun 4 jam ing kasus darurat ingkang panjenengan "
        f"tangani menika.\n{URGENT}\n⬆️ Dipunaturaken dhateng kabupaten\n🙋 Sampun dipuntangani"
    )
    assert idle.button_labels() == ["📂 Bikak kasus"]
    reply = await kab.tap("📂 Bikak kasus")
    assert "Ingkang nangani: panjenengan" in reply.text
    reply = await kab.tap("📜 Riwayat")
    [history] = [m.text for m in emulator.bot_messages(KAB) if m.text.startswith("Riwayat")]
    assert history == "\n".join(
        [
            f"Riwayat {REF}",
            "1 Desember 2026, 09:00 · ingkang nyuwun pitulungan · panyuwunan dipunkintun",
            "1 Desember 2026, 11:00 · bot · dipunaturaken dhateng kabupaten: boten wonten "
            "ingkang nangani salebetipun 2 jam",
            f"1 Desember 2026, 11:00 · {KAB} · status: 🆕 Enggal, dereng dipuntangani → "
            "🙋 Sampun dipuntangani",
        ]
    )


async def test_a_normal_case_escalates_after_a_day_and_reminds_after_three_in_javanese(
    app, person, emulator, sweep, clock, db
):
    bu, _kab = await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await javanese_request(person, sweep)
    village, district = Inbox(emulator, BU), Inbox(emulator, KAB)
    clock.advance(timedelta(minutes=30))
    assert await deliver(sweep, village, district) == [[], []]  # no re-alert: not urgent
    clock.advance(timedelta(hours=23, minutes=30))
    [], [escalated] = await deliver(sweep, village, district)
    assert escalated.text.splitlines()[0] == ESCALATED
    assert "Boten wonten petugas ingkang nangani salebetipun 24 jam." in escalated.text
    assert (await stored_case(db)).level == "district"

    # The village officer may still take it; three days without action bring a reminder.
    await bu.tap("🙋 Kula tangani")
    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert await deliver(sweep, village, district) == [[], []]
    clock.advance(timedelta(minutes=1))
    [idle], [] = await deliver(sweep, village, district)
    assert idle.text == (
        "⏰ Boten wonten tindakan salebetipun 3 dinten ing kasus ingkang panjenengan tangani "
        f"menika.\n{HEADING}\n⬆️ Dipunaturaken dhateng kabupaten\n🙋 Sampun dipuntangani"
    )
