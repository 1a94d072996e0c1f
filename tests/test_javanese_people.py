"""People's features in Javanese (issue 13): the deep links (``v_<village>``, ``kuis``),
``/dataku`` with everything a person can have, ``/batal`` in each dialog and with nothing
to cancel, ``/pengingat``, and the emergency contacts for someone who declined consent.
Checklist pages, expiry dates and reminders as received are in
``test_jv_checklist_reminders.py``; bad input inside feature dialogs in
``test_jv_bad_input.py``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.models import Delivery, HelpRequest, JobCheck, QuizRound, User
from tests.announcing import LANGUAGE, ROLE, villager
from tests.helping import ask_for_help
from tests.people import person as person_id
from tests.people import row_of
from tests.test_checklist import SCHEME, set_up
from tests.test_declined import play_round
from tests.test_job_check import answers_for, run_check
from tests.transcript import choose_language, label

MENU = {
    "id": "Menu utama\nApa yang ingin Anda lakukan?",
    "jv": "Menu utama\nMenapa ingkang panjenengan kersakaken?",
}
MENU_BUTTONS = {
    "id": [
        "🧳 Persiapan keberangkatan",
        "🧠 Kuis perdagangan orang",
        "🔎 Cek tawaran kerja",
        "🆘 Minta bantuan",
        "📨 Permintaan saya",
        "👤 Profil saya",
        "📄 Data saya",
        "🌐 Bahasa",
        "❓ Bantuan",
    ],
    "jv": [
        "🧳 Daftar persiapan bidhal",
        "🧠 Kuis perdagangan tiyang",
        "🔎 Priksa tawaran padamelan",
        "🆘 Nyuwun pitulungan",
        "📨 Panyuwunan kula",
        "👤 Profil kula",
        "📄 Data kula",
        "🌐 Basa",
        "❓ Pitulungan",
    ],
}


def assert_menu(buttons: list[str], expected: list[str]) -> None:
    """The menu's buttons, in this order (others may be added to the menu meanwhile)."""
    shown = iter(buttons)
    assert all(button in shown for button in expected), buttons


async def dialog_of(db, user_id: int) -> tuple[str | None, str | None, dict | None]:
    db.expire_all()
    user = await row_of(db, User, user_id)
    return user.dialog, user.step, user.dialog_data


# --- deep links ----------------------------------------------------------------------------

MARKED = {
    "id": "Anda tinggal di desa mana? Tautan yang Anda buka menunjuk desa yang bertanda ✅.",
    "jv": "Panjenengan manggen ing desa pundi? Link ingkang panjenengan bikak nyebataken desa "
    "ingkang mawi tandha ✅.",
}
ANOTHER_VILLAGE = {"id": "Desa lain…", "jv": "Desa sanes…"}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_village_link_marks_the_village_for_a_newcomer(person, db, locale):
    p = person(3001, language_code=locale)
    reply = await p.say("/start v_kalibangkang")
    assert (
        reply.buttons
        == {
            "id": ["✓ Bahasa Indonesia", "Basa Jawa", "English"],
            "jv": ["Bahasa Indonesia", "✓ Basa Jawa", "English"],
        }[locale]
    )
    await choose_language(p, LANGUAGE[locale])
    reply = await p.tap(label(locale, "role", ROLE["prospective"]))
    assert reply.text == MARKED[locale]
    assert reply.buttons == [
        "✅ Kalibangkang (Ayah)",
        "Tanggulangin (Klirong)",
        "Jogosimo (Klirong)",
        "Candirenggo (Ayah)",
        ANOTHER_VILLAGE[locale],
    ]
    assert (await dialog_of(db, 3001))[2] == {"role": "prospective", "village": "kalibangkang"}
    await p.tap("✅ Kalibangkang (Ayah)")
    reply = await p.tap(label(locale, "button", "I agree"))
    assert (
        reply.text
        == {
            "id": "Terima kasih, Anda sudah terdaftar.",
            "jv": "Matur nuwun, panjenengan sampun kadaftar.",
        }[locale]
        + "\n\n"
        + MENU[locale]
    )
    assert_menu(reply.buttons, MENU_BUTTONS[locale])
    user = await row_of(db, User, 3001)
    assert (user.locale, user.role, user.village_id, user.consent) == (
        locale,
        "prospective",
        "kalibangkang",
        "given",
    )


SWITCH = {
    "id": (
        "Tautan ini untuk Desa Candirenggo. Apakah itu desa Anda sekarang?",
        ["Ya, ganti desa saya", "Tidak, tetap desa lama"],
        "Desa Anda sudah diganti.",
        "Desa Anda tetap seperti semula.",
    ),
    "jv": (
        "Link menika kangge Desa Candirenggo. Menapa menika desa panjenengan sapunika?",
        ["Inggih, gantos desa kula", "Boten, tetep desa lami"],
        "Desa panjenengan sampun dipungantos.",
        "Desa panjenengan tetep kados sakawit.",
    ),
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("answer", [0, 1])
async def test_a_village_link_for_someone_registered_asks_first(person, db, locale, answer):
    p = await villager(person, 3002, locale=locale)
    question, buttons, changed, kept = SWITCH[locale]
    reply = await p.say("/start v_candirenggo")
    assert reply.text == question
    assert reply.buttons == buttons
    assert (await row_of(db, User, 3002)).village_id == "jogosimo"  # nothing changed by the link
    reply = await p.tap(buttons[answer])
    assert reply.text == (changed if answer == 0 else kept) + "\n\n" + MENU[locale]
    assert_menu(reply.buttons, MENU_BUTTONS[locale])
    db.expire_all()
    user = await row_of(db, User, 3002)
    assert user.village_id == ("candirenggo" if answer == 0 else "jogosimo")
    assert user.dialog is None


async def test_the_link_of_ones_own_village_is_a_welcome_back_in_javanese(person, db):
    p = await villager(person, 3003, locale="jv")
    reply = await p.say("/start v_jogosimo")
    assert reply.text == "Sugeng rawuh malih!\n\n" + MENU["jv"]
    assert (await row_of(db, User, 3003)).village_id == "jogosimo"


QUIZ_INTRO = {
    "id": "🧠 Kuis tanda bahaya perdagangan orang\n10 situasi yang pernah dialami warga desa "
    "kita. Pilih apa yang akan Anda lakukan.",
    "jv": "🧠 Kuis tandha bebaya perdagangan tiyang\n10 kawontenan ingkang nate dipunalami warga "
    "desa kita. Sumangga pilih menapa ingkang badhe panjenengan tindakaken.",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_quiz_link_opens_a_round_in_the_persons_language(person, db, locale):
    p = await villager(person, 3004, locale=locale, role="prospective")
    reply = await p.say("/start kuis")
    assert reply.messages[0].text == QUIZ_INTRO[locale]
    question = reply.messages[1].text
    assert question.startswith(
        {"id": "Pertanyaan 1 / 10\n\n", "jv": "Pitakenan 1 / 10\n\n"}[locale]
    )
    assert len(reply.messages[1].buttons) == 4
    quiz_round = (await db.scalars(select(QuizRound))).one()
    assert (quiz_round.person_id, quiz_round.village_id, quiz_round.finished_at) == (
        await person_id(db, 3004),
        "jogosimo",
        None,
    )


# --- /dataku --------------------------------------------------------------------------------

DATAKU = (
    "Sedaya data bab panjenengan ingkang dipunsimpen\n"
    "• ID Telegram (nomer akun, sanes nomer HP): 3010\n"
    "• Basa: Basa Jawa\n"
    "• Persetujuan pangolahan data: dipunparingaken ing 1 Desember 2026, 09:00\n"
    "• Panjenengan minangka: Badhe makarya ing luar negeri\n"
    "• Desa: Kalibangkang (Ayah, Kebumen)\n"
    "• Wara-wara: dipuntampi (/berhenti kangge mandhegaken)\n"
    "• Zona wekdal: WIB\n"
    "• Jam sepen kangge pangeling-eling: 21:00–06:00\n"
    "• Pangeling-eling: boten aktif\n"
    "• Kontak sepisanan: 1 Desember 2026, 09:00\n"
    "• Ewahan pungkasan: 1 Desember 2026, 09:00\n"
    "• Daftar persiapan bidhal — margi: Program pemerintah (G to G); negari tujuan: Korea "
    "Kidul; bidang: Bangunan (konstruksi); bidhal: 15 Maret 2027; perusahaan: –\n"
    "• Sampun: Paspor (1 Desember 2026, 09:00)\n"
    "• Paspor laku ngantos 31 Maret 2030\n"
    "• Babak kuis saha wangsulanipun: 2\n"
    "• Pamriksan tawaran padamelan saha wangsulanipun: 1\n"
    "• Panyuwunan pitulungan DM-2026-000001 (📵 Kecalan kabar, 📨 Sampun dipuntampi: "
    "ngentosi petugas, dipunkintun 1 Desember 2026, 09:00): katrangan ingkang panjenengan "
    "isi, cariyos panjenengan, 0 lampiran saha 0 pesen\n\n"
    "Boten wonten data sanes ingkang dipunsimpen. Kangge mbusak sedayanipun, sumangga "
    "ngintun /hapusdata."
)


async def test_dataku_in_javanese_names_every_section_in_words(person, db):
    """A profile, a checklist with a tick and an expiry date, reminders off, two quiz
    rounds (one finished, one begun), a job check and a help request."""
    p = await villager(person, 3010, locale="jv", role="prospective", village="kalibangkang")
    await set_up(
        p,
        "jv",
        scheme="g2g",
        destination="South Korea",
        sector="Construction",
        departure="15-03-2027",
    )
    await p.tap("⬜ " + label("jv", "", "Passport"))
    await p.tap(label("jv", "button", "✅ Mark as done"))
    await p.tap("✅ " + label("jv", "", "Passport"))
    await p.tap(label("jv", "button", "📅 Enter the expiry date"))
    await p.say("Maret 2030")
    await p.say("/pengingat")
    await p.tap(label("jv", "button", "🔕 Turn reminders off"))
    await p.say("/kuis")
    await play_round(p, db, "jv")
    await p.say("/kuis")  # a second round, begun and left
    await run_check(p, "jv", answers_for("high"))
    await ask_for_help(p, locale="jv")
    reply = await p.say("/dataku")
    assert reply.text == DATAKU
    assert reply.buttons == ["« Menu"]
    for internal in (
        "prospective",
        "kalibangkang,",
        "g2g",
        "south-korea",
        "passport",
        "Asia/",
        "{",
        "None",
        "lost_contact",
        "help_request",
        "true",
    ):
        assert internal not in reply.text, internal
    # What it lists is what is stored.
    assert await db.scalar(select(func.count()).select_from(QuizRound)) == 2
    assert (await db.scalars(select(JobCheck))).one().person_id == await person_id(db, 3010)
    assert (await db.scalars(select(HelpRequest))).one().reference == "DM-2026-000001"


async def test_dataku_in_the_middle_of_a_dialog_names_it_in_javanese(person, db):
    p = await villager(person, 3011, locale="jv", role="prospective")
    await p.say("/persiapan")
    await p.tap(label("jv", "scheme", SCHEME["p3mi"]))
    reply = await p.say("/dataku")
    lines = reply.messages[0].text.split("\n")
    assert (
        "• Dereng rampung: nyiapaken daftar persiapan bidhal (/batal kangge mbatalaken)" in lines
    ), lines
    assert "checklist_setup" not in reply.text
    assert "p3mi" not in reply.text


# --- /batal ---------------------------------------------------------------------------------

CANCELLED = {
    "id": "Dihentikan. Tidak ada yang diubah.",
    "jv": "Sampun dipunbatalaken. Boten wonten ingkang dipunewahi.",
}
NOTHING = {
    "id": "Tidak ada yang perlu dibatalkan.",
    "jv": "Boten wonten ingkang perlu dipunbatalaken.",
}


async def in_checklist_set_up(p, locale):
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    await p.tap(label(locale, "", "Hong Kong"))


async def in_job_check(p, locale):
    await p.say("/cekkerja")
    await p.tap(label(locale, "", "A calo, sponsor or relative"))


async def in_profile_edit(p, locale):
    await p.say("/profil")
    await p.tap(label(locale, "button", "Change village"))
    await p.tap(label(locale, "button", "Another village…"))


async def in_expiry_date(p, locale):
    await set_up(p, locale)
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "📅 Enter the expiry date"))


DIALOGS = {
    "checklist set-up": in_checklist_set_up,
    "job check": in_job_check,
    "profile edit": in_profile_edit,
    "expiry date": in_expiry_date,
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("where", list(DIALOGS))
async def test_batal_leaves_the_dialog_and_changes_nothing(person, db, locale, where):
    p = await villager(person, 3020, locale=locale, role="prospective")
    await DIALOGS[where](p, locale)
    user = await row_of(db, User, 3020)
    assert user.dialog is not None
    reply = await p.say("/batal")
    assert reply.text == CANCELLED[locale] + "\n\n" + MENU[locale]
    assert_menu(reply.buttons, MENU_BUTTONS[locale])
    assert await dialog_of(db, 3020) == (None, None, None)
    user = await row_of(db, User, 3020)
    assert (user.village_id, user.other_village) == ("jogosimo", None)
    assert await db.scalar(select(func.count()).select_from(JobCheck)) == 0
    reply = await p.say("/batal")  # a second time: nothing left to cancel
    assert reply.text == NOTHING[locale] + "\n\n" + MENU[locale]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_batal_with_nothing_to_cancel(person, db, locale):
    p = await villager(person, 3021, locale=locale)
    reply = await p.say("/batal")
    assert reply.text == NOTHING[locale] + "\n\n" + MENU[locale]
    assert_menu(reply.buttons, MENU_BUTTONS[locale])
    assert await dialog_of(db, 3021) == (None, None, None)


# --- /pengingat -----------------------------------------------------------------------------

SETTINGS_HEAD = (
    "⏰ Pangeling-eling\n"
    "Pangeling-eling: {state}.\n"
    "Zona wekdal: WIB (UTC+07:00)\n"
    "Jam sepen: 21:00–06:00 (pangeling-eling ngentosi ngantos enjing)"
)
PLANNED = (
    "\nPangeling-eling salajengipun:\n"
    "• 8 Des 2026: pangeling-eling — bab ingkang dereng rampung ing daftar persiapan\n"
    "• 13 Feb 2027: pangeling-eling — 30 dinten saderengipun bidhal\n"
    "• 1 Mar 2027: pangeling-eling — 14 dinten saderengipun bidhal\n"
    "• 8 Mar 2027: pangeling-eling — 7 dinten saderengipun bidhal\n"
    "• 14 Mar 2027: pangeling-eling — 1 dinten saderengipun bidhal"
)
SETTINGS_ON = ["🔕 Kendelaken pangeling-eling", "🕒 Zona wekdal", "🌙 Jam sepen", "« Menu"]
SETTINGS_OFF = ["🔔 Aktifaken pangeling-eling", "🕒 Zona wekdal", "🌙 Jam sepen", "« Menu"]


async def test_reminder_settings_in_javanese_list_and_switch(person, db):
    p = await villager(person, 3030, locale="jv", role="prospective")
    reply = await p.say("/pengingat")
    assert reply.text == SETTINGS_HEAD.format(state="aktif") + (
        "\nDereng wonten ingkang dipunjadwal: sumangga isi daftar persiapan bidhal mawi "
        "/persiapan."
    )
    assert reply.buttons == SETTINGS_ON

    await set_up(p, "jv", departure="15-03-2027")
    reply = await p.say("/pengingat")
    assert reply.text == SETTINGS_HEAD.format(state="aktif") + PLANNED
    assert reply.buttons == SETTINGS_ON

    reply = await p.tap("🔕 Kendelaken pangeling-eling")
    assert reply.messages[-1].edited
    assert reply.text == "Sampun dipunsimpen.\n\n" + SETTINGS_HEAD.format(state="boten aktif")
    assert reply.buttons == SETTINGS_OFF
    assert (await row_of(db, User, 3030)).reminders_off is True

    reply = await p.tap("🔔 Aktifaken pangeling-eling")
    assert reply.text == "Sampun dipunsimpen.\n\n" + SETTINGS_HEAD.format(state="aktif") + PLANNED
    assert reply.buttons == SETTINGS_ON
    db.expire_all()
    assert (await row_of(db, User, 3030)).reminders_off is False

    reply = await p.tap("« Menu")
    assert reply.text == MENU["jv"]


async def test_reminder_settings_need_consent_in_javanese(person):
    p = await villager(person, 3031, locale="jv", consent=False)
    reply = await p.say("/pengingat")
    assert reply.text == (
        "Pangeling-eling namung saged dipunkintun menawi panjenengan sarujuk bab pangolahan "
        "data. Sumangga ngintun /start menawi panjenengan sarujuk.\n\nMenu utama\n"
        "Panjenengan dereng sarujuk bab pangolahan data, pramila namung informasi umum "
        "ingkang saged dipunwaos."
    )
    assert_menu(reply.buttons, DECLINED_MENU)


# --- emergency contacts without consent -----------------------------------------------------

CONTACTS = (
    "🚨 Menawi wonten tiyang ingkang saweg wonten ing bebaya, sumangga telpon nyuwun "
    "pitulungan rumiyin:\n"
    "• Polisi (gratis, 24 jam) · telpon 110\n"
    "  Menawi wonten tiyang ingkang saweg wonten ing bebaya (ing Indonesia).\n"
    "• Nomer pitulungan KemenP2MI/BP2MI (gratis, 24 jam) · telpon 0800-1000 · saking luar "
    "negeri +62 21 2924 4800\n"
    "  Kangge pekerja migran saha kulawarganipun: kekerasan, gaji boten dipunbayar, "
    "perdagangan tiyang, wangsul dhateng Indonesia.\n"
    "• SAPA 129 (kekerasan dhateng wanita saha lare, perdagangan tiyang) · telpon 129 · "
    "WhatsApp 08111-129-129\n"
    "  Ugi lumantar WhatsApp.\n"
    "• Kemlu: aplikasi Safe Travel saha situs lapor dhiri · https://peduliwni.kemlu.go.id\n"
    "  Ing luar negeri: tombol darurat aplikasi Safe Travel nyambung dhateng KBRI utawi KJRI "
    "ingkang paling celak. Link menika situs lapor diri (Peduli WNI), sanes aplikasinipun."
)
DECLINED_MENU = [
    "✅ Sarujuk pangolahan data",
    "🧠 Kuis perdagangan tiyang",
    "🔎 Priksa tawaran padamelan",
    "🚨 Nomer darurat",
    "🌐 Basa",
    "❓ Pitulungan",
]


async def test_emergency_contacts_for_someone_who_declined(person, db):
    p = await villager(person, 3040, locale="jv", consent=False)
    reply = await p.say("/menu")
    assert reply.text == (
        "Menu utama\nPanjenengan dereng sarujuk bab pangolahan data, pramila namung informasi "
        "umum ingkang saged dipunwaos."
    )
    assert_menu(reply.buttons, DECLINED_MENU)
    reply = await p.tap("🚨 Nomer darurat")
    assert reply.messages[-1].edited  # the menu became the contacts
    assert reply.text == CONTACTS
    assert reply.buttons == ["« Menu"]
    reply = await p.tap("« Menu")
    assert_menu(reply.buttons, DECLINED_MENU)
    # /tolong says why no request can be sent, and gives the same contacts.
    reply = await p.say("/tolong")
    assert reply.text == (
        "Kangge ngintun panyuwunan dhateng petugas, panjenengan kedah sarujuk bab pangolahan "
        "data rumiyin (/start). Nomer darurat ing ngandhap menika kangge sedaya tiyang.\n\n"
        + CONTACTS
    )
    assert reply.buttons == ["« Menu"]
    user = await row_of(db, User, 3040)
    assert (user.consent, user.role, user.village_id, user.dialog) == (
        "declined",
        None,
        None,
        None,
    )
    assert await db.scalar(select(func.count()).select_from(HelpRequest)) == 0


async def test_time_zone_and_quiet_hours_in_javanese_move_the_reminders(person, db):
    p = await villager(person, 3032, locale="jv", role="abroad")
    await set_up(p, "jv", departure="15-03-2027")
    await p.say("/pengingat")
    reply = await p.tap("🕒 Zona wekdal")
    assert reply.text == "Panjenengan wonten ing zona wekdal pundi?"
    assert reply.buttons[:6] == ["WIB", "WITA", "WIT", "Malaysia", "Taiwan", "Hong Kong"]
    reply = await p.tap("Hong Kong")
    assert (
        reply.text
        == "Sampun dipunsimpen.\n\n"
        + SETTINGS_HEAD.format(state="aktif").replace("WIB (UTC+07:00)", "Hong Kong (UTC+08:00)")
        + PLANNED
    )
    reply = await p.tap("🌙 Jam sepen")
    assert reply.text == "Wanci menapa pangeling-eling boten dipunkintun?"
    assert reply.buttons == [
        "21:00–06:00",
        "22:00–07:00",
        "20:00–05:00",
        "23:00–08:00",
        "Tanpa jam sepen",
    ]
    reply = await p.tap("Tanpa jam sepen")
    assert "\nJam sepen: boten wonten\n" in reply.text
    db.expire_all()
    user = await row_of(db, User, 3032)
    assert (user.timezone, user.quiet_start, user.quiet_end) == ("Asia/Hong_Kong", 0, 0)
    # 09:00 in Hong Kong is 01:00 UTC: the 30-day reminder of 13 February is planned then.
    due = await db.scalar(
        select(Delivery.due_at).where(
            Delivery.chat_id == 3032, Delivery.payload["r"].as_string() == "d30"
        )
    )
    assert due.replace(tzinfo=UTC) == datetime(2027, 2, 13, 1, 0, tzinfo=UTC)
    reply = await p.say("/dataku")
    assert "• Zona wekdal: Hong Kong\n" in reply.text
    assert "Asia/" not in reply.text
