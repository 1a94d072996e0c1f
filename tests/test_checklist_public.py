"""The legal steps, read-only, for someone who declined data processing: public information
stays open to them (issue 13), and nothing about them is read or written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.content.checklist import load_checklist
from storage.models import Checklist, ChecklistMark
from tests.announcing import villager
from tests.transcript import label, sees, tr

CONTENT = load_checklist()
TITLE = {
    "id": "🧳 Langkah resmi untuk bekerja di luar negeri",
    "jv": "🧳 Lampah resmi kangge nyambut damel ing luar negeri",
}
GROUPS = {
    "id": [
        "📄 Dokumen: 7",
        "🩺 Kesehatan: 1",
        "🎓 Pelatihan dan sertifikat: 2",
        "📝 Perjanjian dan biaya: 5",
        "🛡 Asuransi (BPJS): 1",
        "✈️ Sebelum berangkat: 3",
        "🏠 Setelah tiba: 1",
    ],
}


async def rows_kept(db) -> int:
    checklists = await db.scalar(select(func.count()).select_from(Checklist))
    marks = await db.scalar(select(func.count()).select_from(ChecklistMark))
    return checklists + marks


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_steps_are_open_without_consent(person, db, locale):
    p = await villager(person, 1401, locale=locale, consent=False)
    reply = await p.tap(label(locale, "menu", "🧳 Legal steps to work abroad"))
    assert reply.messages[0].text.splitlines()[0] == TITLE[locale]
    sees(reply, locale, "These are the steps of the legal procedure for working abroad.")
    item_buttons = reply.buttons[:-1]
    assert len(item_buttons) == 20
    titles = [tr(locale, item.title) for item in CONTENT.items.values()]
    assert item_buttons == titles  # every step, in group order (the file is in that order)
    assert reply.buttons[-1] == label(locale, "button", "« Menu")
    assert not any(b.startswith(("✅", "⬜")) for b in reply.buttons)  # nothing to tick

    # The same steps from the command, in one message edited by the item pages.
    reply = await p.say("/persiapan")
    assert reply.messages[0].text.splitlines()[0] == TITLE[locale]
    reply = await p.tap(item_buttons[5])  # the passport
    page = reply.messages[0].text
    assert page.splitlines()[0] == item_buttons[5]  # the title alone: no done/not done
    sees(reply, locale, "<b>Why it matters:</b> {text}")
    assert reply.buttons == [
        label(locale, "button", "« Back to the steps"),
        label(locale, "button", "« Menu"),
    ]
    reply = await p.tap(label(locale, "button", "« Back to the steps"))
    assert reply.messages[0].text.splitlines()[0] == TITLE[locale]
    assert await rows_kept(db) == 0


async def test_groups_are_counted(person):
    p = await villager(person, 1402, locale="id", consent=False)
    reply = await p.say("/persiapan")
    for line in GROUPS["id"]:
        assert line in reply.text.splitlines(), reply.text


async def test_an_office_is_named_in_general_words(person):
    p = await villager(person, 1403, locale="id", consent=False)
    reply = await p.say("/persiapan")
    reply = await p.press("cp:i:report-embassy", reply.messages[0].message_id)
    assert tr("id", "the Indonesian embassy (KBRI) or consulate (KJRI) in that country") in (
        reply.text
    )


async def test_forged_and_stale_buttons(person, db):
    declined = await villager(person, 1404, locale="jv", consent=False)
    reply = await declined.press("cp:i:no-such-item")
    assert reply.toast == tr("jv", "This button has expired.")
    sees(reply, "jv", "That button is no longer valid. Here is where we are:")
    # After agreeing, an old "steps" button opens the person's own checklist (its set-up).
    agreed = await villager(person, 1405, locale="id")
    reply = await agreed.press("cp:v")
    assert TITLE["id"] not in reply.text
    sees(reply, "id", "<b>🧳 Departure checklist</b>")
    assert await rows_kept(db) == 0


async def test_someone_still_setting_up_is_not_shown_the_steps(person):
    p = person(1406, language_code="id")
    await p.say("/start")
    reply = await p.press("cp:v")
    assert TITLE["id"] not in reply.text
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    sees(reply, "id", "<b>Welcome to the Desmigratif assistant.</b>")  # the question again
