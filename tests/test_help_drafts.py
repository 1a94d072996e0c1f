"""Issue 13, "nothing they wrote is lost": a help request left before it was sent is kept
as a draft (``/batal`` → Keep, ``/menu``, ``/kuis``, a menu button), offered again by
``/tolong`` (continue: the same review; start again; cancel), dropped after 30 days, shown
by ``/dataku`` and erased with ``/hapusdata`` or a declined consent. Indonesian and
Javanese, exact texts and the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import profiles
from storage.models import User
from tests.announcing import villager
from tests.helping import ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.people import row_of
from tests.transcript import label, tr

LOCALES = ("id", "jv")
DESCRIPTION = "Sudah tiga minggu tidak ada kabar. Agensi tidak menjawab telepon."
LEAVE = {
    "id": "Permintaan Anda belum dikirim.\nYang sudah Anda tulis bisa dikirim sekarang, "
    "disimpan sebagai draf untuk diselesaikan nanti, atau dihapus.",
    "jv": "Panyuwunan panjenengan dereng dipunkintun.\nPanyuwunan menika saged dipunkintun "
    "sakmenika, dipunsimpen minangka draf kangge dipunrampungaken mangke, utawi dipunbusak.",
}
LEAVE_BUTTONS = {
    "id": ["✅ Kirim sekarang", "💾 Simpan sebagai draf", "🗑 Hapus", "« Kembali ke permintaan"],
    "jv": [
        "✅ Kintun sakmenika",
        "💾 Simpen minangka draf",
        "🗑 Busak",
        "« Wangsul dhateng panyuwunan",
    ],
}
KEPT = {
    "id": "💾 Permintaan Anda disimpan sebagai draf selama 30 hari. Permintaan ini belum "
    "dikirim. Untuk menyelesaikannya: /tolong, atau tombol di bawah.",
    "jv": "💾 Panyuwunan panjenengan dipunsimpen minangka draf dangunipun 30 dinten. Panyuwunan "
    "menika dereng dipunkintun. Kangge ngrampungaken: /tolong, utawi tombol ing ngandhap.",
}
FINISH = {"id": "📝 Selesaikan permintaan saya", "jv": "📝 Rampungaken panyuwunan kula"}
OFFER_FIRST = {
    "id": "Anda punya permintaan bantuan yang belum dikirim (disimpan 1 Desember 2026):",
    "jv": "Panjenengan gadhah panyuwunan pitulungan ingkang dereng dipunkintun (dipunsimpen "
    "1 Desember 2026):",
}
OFFER_LAST = {
    "id": "Apakah Anda ingin melanjutkannya?",
    "jv": "Menapa panjenengan badhe nglajengaken?",
}
OFFER_BUTTONS = {
    "id": ["▶️ Lanjutkan permintaan saya", "🗑 Mulai dari awal", "✖️ Batal"],
    "jv": ["▶️ Lajengaken panyuwunan kula", "🗑 Wiwit malih saking awal", "✖️ Batal"],
}
AS_LEFT = {
    "id": "Ini permintaan Anda seperti saat Anda tinggalkan. Anda masih bisa menambahkan teks, "
    "foto, atau pesan suara: kirim saja.",
    "jv": "Menika panyuwunan panjenengan kados nalika dipuntilar. Panjenengan taksih saged "
    "nambahaken teks, foto utawi pesen swanten: kintunaken kemawon.",
}
DATA_LINE = {
    "id": "• Permintaan bantuan yang belum dikirim, disimpan 1 Desember 2026: {summary} "
    "(/tolong untuk melanjutkannya)",
    "jv": "• Panyuwunan pitulungan ingkang dereng dipunkintun, dipunsimpen 1 Desember 2026: "
    "{summary} (/tolong kangge nglajengaken)",
}


async def user_row(db, telegram_id: int) -> User | None:
    db.expire_all()
    return await row_of(db, User, telegram_id)


async def at_review(person, user_id: int, locale: str):
    p = await villager(person, user_id, locale=locale)
    # For themselves: the steps least likely to change with the questions of the family path.
    review = await ask_for_help(p, locale=locale, for_whom="self", send=False)
    return p, review.messages[-1].text


def summary(locale: str) -> list[str]:
    return [
        category_label(locale, "lost_contact"),
        tr(locale, "For: me"),
        tr(locale, "What happened: {text}", text=DESCRIPTION),
    ]


def offer_text(locale: str) -> str:
    return "\n".join([OFFER_FIRST[locale], *summary(locale), "", OFFER_LAST[locale]])


async def assert_draft(db, user_id: int, clock) -> dict:
    """The help dialog was left and its answers are the person's draft, saved now."""
    user = await user_row(db, user_id)
    assert user is not None
    assert user.dialog != "help"
    assert user.help_draft_at == clock.now()
    assert user.help_draft is not None
    assert user.help_draft["description"] == DESCRIPTION
    assert user.help_draft["category"] == "lost_contact"
    assert user.help_draft["subject"] == {"country": "Malaysia"}
    assert "leave_from" not in user.help_draft
    return user.help_draft


@pytest.mark.parametrize("locale", LOCALES)
async def test_batal_asks_and_keep_keeps_a_draft_that_tolong_continues(person, db, clock, locale):
    p, review = await at_review(person, 701, locale)
    reply = await p.say("/batal")
    assert reply.text == LEAVE[locale]
    assert reply.buttons == LEAVE_BUTTONS[locale]
    user = await user_row(db, 701)
    assert (user.dialog, user.step, user.dialog_data["leave_from"]) == ("help", "leave", "review")
    assert user.help_draft is None  # not yet: the person has not answered

    reply = await p.tap(LEAVE_BUTTONS[locale][1])
    assert reply.text.startswith(KEPT[locale] + "\n\n")
    assert reply.buttons[0] == FINISH[locale]
    answers = await assert_draft(db, 701, clock)
    assert await cases_of(db, await person_id(db, 701)) == []

    reply = await p.say("/tolong")
    assert reply.text == offer_text(locale)
    assert reply.buttons == OFFER_BUTTONS[locale]
    reply = await p.tap(OFFER_BUTTONS[locale][0])
    assert reply.text == AS_LEFT[locale] + "\n\n" + review  # the same details, everything
    user = await user_row(db, 701)
    assert (user.dialog, user.step, user.help_draft, user.help_draft_at) == (
        "help",
        "review",
        None,
        None,
    )
    assert user.dialog_data == {**answers, "editing": False}
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 701))
    assert (case.description, case.subject) == (DESCRIPTION, {"country": "Malaysia"})
    assert (await user_row(db, 701)).help_draft is None


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("leave", ["/menu", "/kuis", "/batal", "menu-button"])
async def test_leaving_without_sending_keeps_the_draft(person, db, clock, locale, leave):
    p, _review = await at_review(person, 702, locale)
    if leave == "menu-button":  # a menu still on the screen: "My profile"
        reply = await p.press("menu:profile")
    else:
        reply = await p.say(leave)
    if leave == "/batal":  # asked first; "Back" returns to the review, nothing kept yet
        reply = await p.tap(LEAVE_BUTTONS[locale][3])
        assert (await user_row(db, 702)).help_draft is None
        assert (await user_row(db, 702)).step == "review"
        await p.tap(label(locale, "button", "✖️ Cancel the request"))
        reply = await p.tap(LEAVE_BUTTONS[locale][1])
    await assert_draft(db, 702, clock)
    reply = await p.say("/menu")
    assert reply.buttons[0] == FINISH[locale]
    reply = await p.tap(FINISH[locale])
    assert reply.text.startswith(AS_LEFT[locale] + "\n\n")
    assert (await user_row(db, 702)).step == "review"


@pytest.mark.parametrize("locale", LOCALES)
async def test_start_again_deletes_the_draft_and_starts_a_new_request(person, db, clock, locale):
    p, _review = await at_review(person, 703, locale)
    await p.say("/menu")
    await assert_draft(db, 703, clock)
    await p.say("/tolong")
    reply = await p.tap(OFFER_BUTTONS[locale][1])
    assert reply.toast == tr(locale, "The unsent request was deleted.")
    question = tr(locale, "<b>🆘 Ask for help</b>\nWhat happened? Choose what fits best.")
    assert reply.text.startswith(question.replace("<b>", "").replace("</b>", ""))
    user = await user_row(db, 703)
    assert (user.dialog, user.step, user.dialog_data, user.help_draft) == (
        "help",
        "category",
        {},
        None,
    )
    reply = await p.say("/menu")
    assert FINISH[locale] not in reply.buttons


@pytest.mark.parametrize("locale", LOCALES)
async def test_cancel_on_the_offer_keeps_the_draft(person, db, clock, locale):
    p, _review = await at_review(person, 704, locale)
    await p.say("/menu")
    await p.say("/tolong")
    reply = await p.tap(OFFER_BUTTONS[locale][2])
    assert reply.text.startswith(tr(locale, "Your unsent request is kept. To finish it: /tolong."))
    assert reply.buttons[0] == FINISH[locale]
    await assert_draft(db, 704, clock)


@pytest.mark.parametrize("locale", LOCALES)
async def test_discard_deletes_everything_and_sends_nothing(person, db, locale):
    p, _review = await at_review(person, 705, locale)
    await p.say("/menu")  # an older draft exists too: discard deletes it as well
    await p.tap(FINISH[locale])
    reply = await p.tap(label(locale, "button", "✖️ Cancel the request"))
    assert reply.text == LEAVE[locale]
    reply = await p.tap(LEAVE_BUTTONS[locale][2])
    assert reply.toast == tr(locale, "Request cancelled.")
    assert reply.text.startswith(tr(locale, "The request was cancelled; nothing was sent."))
    assert FINISH[locale] not in reply.buttons
    user = await user_row(db, 705)
    assert (user.dialog, user.help_draft, user.help_draft_at) == (None, None, None)
    assert await cases_of(db, await person_id(db, 705)) == []
    reply = await p.say("/tolong")  # no offer: a new request
    assert (await user_row(db, 705)).step == "category"


@pytest.mark.parametrize("locale", LOCALES)
async def test_send_now_goes_to_the_review_never_sends_blindly(person, db, locale):
    p, review = await at_review(person, 706, locale)
    await p.say("/batal")
    reply = await p.tap(LEAVE_BUTTONS[locale][0])
    assert reply.text == tr(locale, "Please check it, then send it.") + "\n\n" + review
    assert await cases_of(db, await person_id(db, 706)) == []
    assert (await user_row(db, 706)).step == "review"
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    assert len(await cases_of(db, await person_id(db, 706))) == 1
    user = await user_row(db, 706)
    assert (user.dialog, user.help_draft) == (None, None)


@pytest.mark.parametrize("locale", LOCALES)
async def test_cancel_before_anything_is_written_stays_as_it_was(person, db, locale):
    p = await villager(person, 707, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "unpaid"))
    reply = await p.tap(label(locale, "button", "✖️ Cancel the request"))
    assert reply.text.startswith(tr(locale, "The request was cancelled; nothing was sent."))
    user = await user_row(db, 707)
    assert (user.dialog, user.help_draft) == (None, None)
    await p.say("/tolong")
    await p.tap(category_label(locale, "unpaid"))
    await p.say("/menu")  # left before the description: nothing to keep
    assert (await user_row(db, 707)).help_draft is None


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_draft_is_kept_29_days_23_hours_and_dropped_at_30_days(person, db, clock, locale):
    p, _review = await at_review(person, 708, locale)
    await p.say("/menu")
    await assert_draft(db, 708, clock)
    clock.advance(timedelta(days=29, hours=23))
    reply = await p.say("/tolong")
    assert reply.text == offer_text(locale)
    await p.tap(OFFER_BUTTONS[locale][2])  # cancel: kept, saved at the same moment as before
    clock.advance(timedelta(hours=1))  # 30 days exactly
    reply = await p.say("/menu")
    assert FINISH[locale] not in reply.buttons
    user = await user_row(db, 708)
    assert (user.help_draft, user.help_draft_at) == (None, None)
    reply = await p.say("/tolong")
    assert (await user_row(db, 708)).step == "category"


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_typed_help_word_offers_the_draft_and_continuing_keeps_its_answers(
    person, db, clock, locale
):
    p, review = await at_review(person, 709, locale)
    await p.say("/menu")
    words = {"id": "tolong gaji saya tidak dibayar", "jv": "tulung gaji kula boten dipunbayar"}
    reply = await p.say(words[locale])
    assert reply.text == offer_text(locale)
    reply = await p.tap(OFFER_BUTTONS[locale][0])
    assert reply.text == AS_LEFT[locale] + "\n\n" + review  # still "lost contact"
    assert (await user_row(db, 709)).dialog_data["category"] == "lost_contact"


@pytest.mark.parametrize("locale", LOCALES)
async def test_dataku_shows_the_draft_and_hapusdata_erases_it(person, db, clock, locale):
    p, _review = await at_review(person, 710, locale)
    await p.say("/menu")
    reply = await p.say("/dataku")
    line = DATA_LINE[locale].format(summary="; ".join(summary(locale)))
    assert line in reply.text.splitlines()
    erased = await person_id(db, 710)
    await p.say("/hapusdata")
    await p.tap(label(locale, "button", "Yes, erase everything"))
    assert await user_row(db, 710) is None
    assert await db.get(User, erased) is None


async def test_declining_consent_erases_the_draft(person, db, clock):
    p, _review = await at_review(person, 711, "id")
    await p.say("/menu")
    await assert_draft(db, 711, clock)
    user = await user_row(db, 711)
    profiles.decline_consent(user, clock.now())
    assert (user.help_draft, user.help_draft_at) == (None, None)


@pytest.mark.parametrize("locale", LOCALES)
async def test_bad_input_and_old_buttons_at_the_leave_prompt_and_the_offer(person, db, locale):
    p, _review = await at_review(person, 712, locale)
    await p.say("/batal")
    reply = await p.send("sticker")
    assert reply.text == (
        tr(locale, "I can only read text messages and button taps here.") + "\n\n" + LEAVE[locale]
    )
    reply = await p.say("ok")
    assert reply.text == (
        tr(locale, "Please answer with one of the buttons below.") + "\n\n" + LEAVE[locale]
    )
    assert reply.buttons == LEAVE_BUTTONS[locale]
    reply = await p.press("hd:fresh")  # an offer's button, not shown here
    assert reply.toast == tr(locale, "This button has expired.")
    assert reply.text.endswith(LEAVE[locale])
    await p.tap(LEAVE_BUTTONS[locale][1])

    await p.say("/tolong")
    reply = await p.send("photo")
    assert reply.text == (
        tr(locale, "I can only read text messages and button taps here.")
        + "\n\n"
        + offer_text(locale)
    )
    reply = await p.press("hd:keep")  # the leave prompt's button, from an old message
    assert reply.toast == tr(locale, "This button has expired.")
    assert reply.text.endswith(offer_text(locale))
    user = await user_row(db, 712)
    assert (user.dialog, user.step, user.help_draft is not None) == ("help_draft", "offer", True)

    await p.tap(OFFER_BUTTONS[locale][1])  # start again: the draft is gone
    reply = await p.press("hd:continue")  # the menu's old "Finish my request"
    assert reply.toast == tr(locale, "This button has expired.")
    assert (await user_row(db, 712)).step == "category"


DANGER_WORDS = {
    "id": "majikan memukul adik saya sekarang",
    "jv": "majikanipun mukul adhik kula sakmenika",
}


@pytest.mark.parametrize("locale", LOCALES)
async def test_danger_words_with_a_draft_show_the_contacts_first_then_the_offer(
    person, db, locale
):
    p, _review = await at_review(person, 713, locale)
    await p.say("/menu")
    reply = await p.say(DANGER_WORDS[locale])
    contacts, offer = reply.messages
    sees_contacts = tr(locale, "<b>🚨 If someone is in danger now, call for help first:</b>")
    assert contacts.text.startswith(sees_contacts.replace("<b>", "").replace("</b>", ""))
    assert "110" in contacts.text
    assert offer.text == offer_text(locale)
    reply = await p.tap(OFFER_BUTTONS[locale][1])  # start again: urgent, the contacts step
    user = await user_row(db, 713)
    assert (user.dialog, user.step, user.help_draft) == ("help", "contacts", None)
    assert user.dialog_data == {"category": "violence", "danger": True}


@pytest.mark.parametrize("locale", LOCALES)
async def test_help_words_inside_another_dialog_offer_the_draft_and_cancel_goes_back(
    person, db, clock, locale
):
    p, _review = await at_review(person, 714, locale)
    await p.say("/cekkerja")
    await assert_draft(db, 714, clock)
    words = {"id": "tolong anak saya hilang", "jv": "tulung anak kula ical"}
    reply = await p.say(words[locale])
    assert reply.text == offer_text(locale)
    reply = await p.tap(OFFER_BUTTONS[locale][2])
    assert reply.text.startswith(
        tr(locale, "Your unsent request is kept. To finish it: /tolong.") + "\n\n"
    )
    user = await user_row(db, 714)
    assert (user.dialog, user.step) == ("jobcheck", "q0")
    assert user.help_draft is not None
