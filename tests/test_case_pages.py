"""Issue 11: the officers' queue counts every case and pages through all of them; "Full
text" and "History" send a bounded page per press with a More button, cut only where it
is safe, and every forged or foreign page button is refused without an error."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape

import pytest

from bot.channels.telegram.emulator import ChatMessage
from bot.context import services_of
from bot.services import help_requests as cases
from bot.services import officers
from bot.telegram_html import telegram_length
from storage.models import HelpRequest
from tests.announcing import officer, villager
from tests.conftest import START
from tests.helping import category_label
from tests.people import person as known
from tests.people import telegram_person
from tests.transcript import label, tr

LOCALES = ("id", "jv")
BU = 880  # officer of Jogosimo
ELSEWHERE = 881  # officer of Tanggulangin
PER_PRESS = 5  # messages one press may send (bot.text_pages.PER_PRESS)
REFERENCE = re.compile(r"DM-\d{4}-\d{6}")


@pytest.fixture(autouse=True)
def no_errors(caplog):
    """Refused is not failed: no handler error and no call Telegram would refuse."""
    caplog.set_level(logging.WARNING, logger="desmigratif")
    yield
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("desmigratif")]
    assert problems == []


async def make_case(
    db, *, requester: int, village: str = "jogosimo", urgent: bool = False, at=START, text="-"
) -> HelpRequest:
    draft = cases.Draft(
        category="trafficking" if urgent else "unpaid", for_whom="self", description=text
    )
    return await cases.create(db, requester_id=requester, village_id=village, draft=draft, now=at)


def new_messages(emulator, chat_id: int, after: int) -> list[ChatMessage]:
    return [m for m in emulator.bot_messages(chat_id) if m.message_id > after]


def last_id(emulator, chat_id: int) -> int:
    return max((m.message_id for m in emulator.bot_messages(chat_id)), default=0)


def data_of(message: ChatMessage) -> dict[str, str]:
    return {b.text: b.callback_data or "" for row in message.buttons for b in row}


def expired(reply, locale: str) -> None:
    assert reply.toast == tr(locale, "This button has expired.")
    assert tr(locale, "That button is no longer valid. Here is where we are:") in reply.text


# --- the queue ---------------------------------------------------------------------------


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def section(locale: str, title: str, count: int) -> str:
    """A section's heading line with its count; the overdue one names 3 days."""
    return f"{tr(locale, title, days=3) if '{days}' in title else tr(locale, title)}: {count}"


def listed(text: str) -> list[str]:
    return [REFERENCE.search(line).group(0) for line in text.splitlines() if line[:2] == "• "]  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", LOCALES)
async def test_queue_counts_all_45_and_pages_to_the_last(app, person, emulator, db, locale):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    # 35 ordinary cases, oldest first, then 10 urgent ones sent last of all, and an urgent
    # case of another village, which is not Jogosimo's.
    for i in range(45):
        at = START - timedelta(minutes=60 - i)
        await make_case(db, requester=5000 + i, urgent=i >= 35, at=at)
    await make_case(db, requester=6000, village="tanggulangin", urgent=True)
    await db.commit()
    urgent = [f"DM-2026-{i:06d}" for i in range(36, 46)]
    ordinary = [f"DM-2026-{i:06d}" for i in range(1, 36)]

    reply = await bu.say("/kasus")
    assert reply.text.startswith(plain(tr(locale, "<b>🗂 Help requests</b>")))
    assert tr(locale, "🚨 Urgent and unclaimed: {count}", count=10) in reply.text
    assert section(locale, "🆕 Unclaimed in your area", 45) in reply.text
    assert section(locale, "⏰ No action for {days} days", 0) in reply.text
    # Urgent first: the first screen holds 8 of the 10; the header counts the other two.
    assert listed(reply.text) == urgent[:8]
    assert not {"DM-2026-000044", "DM-2026-000045"} & set(REFERENCE.findall(reply.text))
    assert tr(locale, "… and {count} more", count=37) in reply.text
    assert "DM-2026-000046" not in reply.text
    nxt = label(locale, "button", "Next ▶️")
    assert data_of(bu.last_with_buttons())[f"🆕 {nxt}"] == "cs:q:unclaimed:1"

    seen = listed(reply.text)
    reply = await bu.tap(f"🆕 {nxt}")
    for page in range(2, 7):
        assert tr(locale, "Page {page} of {pages}", page=page, pages=6) in reply.text
        assert tr(locale, "🚨 Urgent and unclaimed: {count}", count=10) in reply.text
        assert section(locale, "🆕 Unclaimed in your area", 45) in reply.text
        seen += listed(reply.text)
        if page < 6:
            assert len(listed(reply.text)) == 8
            reply = await bu.tap(nxt)
    assert seen == urgent + ordinary  # every case once, in the queue's order
    assert listed(reply.text) == ordinary[-5:]  # the last page: exactly the remainder
    assert nxt not in reply.buttons
    assert label(locale, "button", "◀️ Previous") in reply.buttons
    reply = await bu.tap(label(locale, "button", "◀️ Previous"))
    assert tr(locale, "Page {page} of {pages}", page=5, pages=6) in reply.text
    assert listed(reply.text) == ordinary[-13:-5]
    # A case button on a page opens the case; its « Queue is the first screen again.
    reply = await bu.tap(f"DM-2026-000030 · {category_label(locale, 'unpaid')}")
    assert reply.text.startswith("DM-2026-000030")
    reply = await bu.tap(label(locale, "button", "« Queue"))
    assert listed(reply.text) == urgent[:8]

    # Forged pages: past the end is the last page; an unknown section or a page number
    # longer than any real one is refused. Nothing raises.
    reply = await bu.press("cs:q:unclaimed:999")
    assert tr(locale, "Page {page} of {pages}", page=6, pages=6) in reply.text
    assert listed(reply.text) == ordinary[-5:]
    for forged in ("cs:q:everything:1", "cs:q:unclaimed:99999", "cs:q:unclaimed:-1"):
        expired(await bu.press(forged), locale)


@pytest.mark.parametrize("locale", LOCALES)
async def test_every_section_counts_all_its_cases(app, person, emulator, db, locale):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    neighbour = await officer(app, person, ELSEWHERE, "tanggulangin", locale=locale)
    long_ago = START - timedelta(days=4)
    bu_id = await known(db, BU)
    for i in range(11):  # mine: the first 3 overdue
        case = await make_case(db, requester=5000 + i, at=long_ago if i < 3 else START)
        cases.claim(db, case, bu_id, long_ago if i < 3 else START)
    for i in range(9):  # mine, waiting for the family
        case = await make_case(db, requester=5100 + i)
        cases.claim(db, case, bu_id, START)
        cases.set_status(db, case, bu_id, "waiting", START)
    for i in range(2):  # another officer's: not in any of BU's sections
        case = await make_case(db, requester=5200 + i, urgent=True)
        cases.claim(db, case, 882, START)
    await db.commit()

    reply = await bu.say("/kasus")
    assert section(locale, "🆕 Unclaimed in your area", 0) in reply.text
    assert section(locale, "🙋 Yours", 11) in reply.text
    assert section(locale, "⏳ Waiting for the family", 9) in reply.text
    assert section(locale, "⏰ No action for {days} days", 3) in reply.text
    assert tr(locale, "… and {count} more", count=3) in reply.text
    assert tr(locale, "… and {count} more", count=1) in reply.text
    assert "🚨" not in reply.text  # the claimed urgent cases are nobody's unclaimed ones
    nxt = label(locale, "button", "Next ▶️")
    buttons = data_of(bu.last_with_buttons())
    assert (buttons[f"🙋 {nxt}"], buttons[f"⏳ {nxt}"]) == ("cs:q:mine:1", "cs:q:waiting:1")
    assert not {f"🆕 {nxt}", f"⏰ {nxt}"} & set(buttons)
    reply = await bu.tap(f"⏳ {nxt}")
    assert tr(locale, "Page {page} of {pages}", page=2, pages=2) in reply.text
    assert listed(reply.text) == ["DM-2026-000020"]
    reply = await bu.tap(label(locale, "button", "◀️ Previous"))
    assert listed(reply.text) == [f"DM-2026-{i:06d}" for i in range(12, 20)]

    # Another area's officer pressing the same page sees their own queue, which is empty.
    reply = await neighbour.press("cs:q:waiting:1")
    assert section(locale, "⏳ Waiting for the family", 0) in reply.text
    assert REFERENCE.search(reply.text) is None
    # And someone who is not an officer gets no queue at all.
    villager_ = await villager(person, 802, locale=locale)
    reply = await villager_.press("cs:q:mine:1")
    assert tr(locale, "Only officers can see help requests.") in reply.text
    assert REFERENCE.search(reply.text) is None


# --- full text -----------------------------------------------------------------------------


def long_description() -> str:
    """240,000 characters with what makes cutting hard: markup characters to escape, long
    runs without a space (one of them of emoji, two UTF-16 units each), line ends."""
    lines = []
    for i in range(4000):
        lines.append(f"Baris {i:04d}: PT A&B <agen> bilang \"kontrak\" 😀 gaji Rp1.500.000 & 'x'.")
        if i == 1000:
            lines.append("&<>" * 1700)  # 5,100 characters without a space
        if i == 2000:
            lines.append("😀" * 4000)  # 8,000 UTF-16 units without a space
    text = "\n".join(lines)
    assert len(text) > 240_000
    return text[:240_000]


async def pages_of(bu, emulator, locale: str, start: str, more_data: str):
    """Press ``start`` and then More until the last page: the messages of each press, and
    the buttons its last message had then (pressing More takes them away)."""
    presses = []
    keyboards = []
    before = last_id(emulator, BU)
    reply = await bu.press(start)
    while True:
        assert reply.toast is None
        sent = new_messages(emulator, BU, before)
        presses.append(sent)
        keyboards.append(data_of(sent[-1]))
        more = [d for d in keyboards[-1].values() if d.startswith(more_data)]
        if not more:
            return presses, keyboards
        before = last_id(emulator, BU)
        reply = await bu.press(more[0], sent[-1].message_id)


@pytest.mark.parametrize("locale", LOCALES)
async def test_full_text_comes_a_page_per_press(app, person, emulator, db, locale):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    description = long_description()
    case = await make_case(db, requester=5000, text="-")
    # Written before descriptions had a limit (4,000 characters now), or imported.
    case.description = description
    await db.commit()
    reference = "DM-2026-000001"
    header = tr(locale, "<b>{reference}: what happened</b>", reference=reference) + "\n"
    shown_header = plain(header)
    await bu.press("cs:v:1")

    presses, keyboards = await pages_of(bu, emulator, locale, "cs:f:1", "cs:f:1:")
    pages = len(presses)
    pieces = [m for sent in presses for m in sent if m.source.startswith(header)]
    assert pages == -(-len(pieces) // PER_PRESS) >= 240_000 // 3500 // PER_PRESS
    for number, sent in enumerate(presses, start=1):
        if number < pages:  # exactly N messages, the last with More and « Back
            assert len(sent) == PER_PRESS
            assert [m.source.startswith(header) for m in sent] == [True] * PER_PRESS
            more = label(locale, "button", "More ▶️ ({page}/{pages})", page=number + 1, pages=pages)
            assert keyboards[number - 1] == {
                more: f"cs:f:1:{number}",
                label(locale, "button", "« Back to the case"): "cs:v:1",
            }
            assert all(m.buttons == [] for m in sent[:-1])
        else:  # the rest, then the case page again
            assert 1 <= len(sent) - 1 <= PER_PRESS
            assert not sent[-1].source.startswith(header)
            assert reference in sent[-1].text
            assert label(locale, "button", "📄 Full text and files") in sent[-1].button_labels()
    # Each More button went away once pressed; every piece fits a message.
    assert [m for m in pieces if m.buttons] == []
    assert {m.text.startswith(shown_header) for m in pieces} == {True}
    assert max(telegram_length(m.text) - telegram_length(shown_header) for m in pieces) <= 3500
    # The whole text, exactly once, in order.
    assert "".join(unescape(m.source.removeprefix(header)) for m in pieces) == description

    # Forged pages, a page past the end, the page of a case elsewhere: refused.
    before = last_id(emulator, BU)
    for forged in ("cs:f:1:999", f"cs:f:1:{pages}", "cs:f:2:1", "cs:f:1:99999"):
        expired(await bu.press(forged), locale)
    assert not any(m.source.startswith(header) for m in new_messages(emulator, BU, before))


async def test_files_come_after_the_text_and_pages_are_refused_outside_the_area(
    app, person, emulator, db
):
    bu = await officer(app, person, BU, "jogosimo", locale="jv")
    neighbour = await officer(app, person, ELSEWHERE, "tanggulangin", locale="id")
    photos = tuple({"kind": "photo", "file_id": f"photo-{i}"} for i in range(7))
    draft = cases.Draft(category="unpaid", for_whom="self", description="-", attachments=photos)
    case = await cases.create(db, requester_id=5000, village_id="jogosimo", draft=draft, now=START)
    case.description = "Paspor ditahan majikan. " * 500  # 12,000 characters: 4 messages
    await db.commit()
    for page in ("cs:f:1:1", "cs:f:1:2", "cs:h:1:0", "cs:f:1"):
        expired(await neighbour.press(page), "id")
    assert "Paspor" not in " ".join(m.text for m in emulator.bot_messages(ELSEWHERE))

    # 4 messages of text and 7 photos: 5, 5 and 1 (then the case page) in three presses.
    presses, keyboards = await pages_of(bu, emulator, "jv", "cs:f:1", "cs:f:1:")
    assert [[m.media or "text" for m in sent] for sent in presses] == [
        ["text"] * 4 + ["photo"],
        ["photo"] * 5,
        ["photo", "text"],
    ]
    assert [m.text for sent in presses for m in sent if m.media] == ["DM-2026-000001"] * 7
    more = label("jv", "button", "More ▶️ ({page}/{pages})", page=3, pages=3)
    assert keyboards[1] == {
        more: "cs:f:1:2",
        label("jv", "button", "« Back to the case"): "cs:v:1",
    }

    # An officer removed since cannot read on with the buttons they still have.
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await officers.revoke(
            session,
            await services.routing(session),
            await telegram_person(session, BU),
            now=services.clock.now(),
        )
    before = last_id(emulator, BU)
    for page in ("cs:f:1:1", "cs:f:1:2", "cs:h:1:1", "cs:f:1"):
        expired(await bu.press(page, presses[0][-1].message_id), "jv")
    assert [m for m in new_messages(emulator, BU, before) if "Paspor" in m.text or m.media] == []


# --- history -------------------------------------------------------------------------------


def note(i: int) -> str:
    """A note of its own length, with characters that must be escaped; two of them are
    longer than one message (Telegram lets an officer type 4,096 characters)."""
    size = 4096 if i in (7, 30) else 40 + (i * 389) % 2500
    return (f"note-{i:03d} A&B <b>tidak</b> dibayar; " * 200)[:size]


@pytest.mark.parametrize("locale", LOCALES)
async def test_history_comes_in_pages_of_whole_entries(app, person, emulator, db, locale):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    case = await make_case(db, requester=5000)
    notes = [note(i) for i in range(60)]
    bu_id = await known(db, BU)
    for i, text in enumerate(notes):
        at = START + timedelta(minutes=i)
        cases.add_message(db, case, author="note", author_id=bu_id, text=text, now=at)
    cases.add_message(
        db,
        case,
        author="requester",
        author_id=5000,
        text=None,
        now=START,
        file_kind="photo",
        file_id="AgAD-photo",
    )
    await db.commit()
    title = tr(locale, "<b>History of {reference}</b>", reference="DM-2026-000001")
    await bu.press("cs:v:1")

    presses, keyboards = await pages_of(bu, emulator, locale, "cs:h:1", "cs:h:1:")
    pages = len(presses)
    assert pages > 2
    texts = []
    for number, sent in enumerate(presses, start=1):
        content = sent if number < pages else sent[:-1]  # the last press: then the case page
        assert 1 <= len(content) <= PER_PRESS
        assert content[0].source.startswith(title)  # every page says whose history it is
        if number < pages:
            more = label(locale, "button", "More ▶️ ({page}/{pages})", page=number + 1, pages=pages)
            assert keyboards[number - 1] == {
                more: f"cs:h:1:{number}",
                label(locale, "button", "« Back to the case"): "cs:v:1",
            }
        else:
            assert label(locale, "button", "📜 History") in keyboards[-1]
        assert [m for m in content if m.buttons] == []  # More went away once pressed
        texts.append("".join(m.text for m in content))
    everything = "".join(texts)
    for text in notes:  # every note once, and whole on one page
        assert everything.count(text) == 1, text[:9]
        assert sum(text in page for page in texts) == 1, text[:9]
    action = f"{BU} · {tr(locale, 'internal note')}"
    assert everything.count(action) == 60  # every event once
    photo = f"{tr(locale, 'Requester')}: {tr(locale, '{n} photo', n=1)}"
    assert everything.count(photo) == 1

    for forged in ("cs:h:1:999", f"cs:h:1:{pages}"):
        expired(await bu.press(forged), locale)
