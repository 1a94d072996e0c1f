"""An admin who is not an officer erases their data while holding an open case: the case
goes back to its village's queue like an officer's would (before, it stayed "claimed" by
the former officer 0 for good: nobody could claim it)."""

from __future__ import annotations

from storage.models import HelpRequest
from tests.announcing import officer, villager
from tests.helping import ask_for_help
from tests.people import person as known
from tests.test_erasure_rows import (  # noqa: F401 (settings: the fixture with the admins)
    ADMIN,
    ADMIN2,
    BU,
    GROUP,
    P,
    erase,
    history,
    rows,
    settings,
)


async def test_an_admin_who_erases_hands_back_their_open_case(app, person, db):
    await officer(app, person, BU, "jogosimo")
    admin = await villager(person, ADMIN)
    await ask_for_help(await villager(person, P))
    await admin.press("cs:claim:1")
    db.expire_all()
    claimed = await db.get(HelpRequest, 1)
    assert (claimed.status, claimed.assigned_officer_id) == ("claimed", await known(db, ADMIN))
    before = len(await rows(db, "case_notice"))

    await erase(admin)

    db.expire_all()
    case = await db.get(HelpRequest, 1)
    assert (case.status, case.assigned_officer_id) == ("new", None)
    assert (await history(db))[-1] == (1, "released", None, {"before": "claimed", "why": "erased"})
    assert (await rows(db, "case_notice"))[before:] == [
        (BU, "pending", {"case": 1, "event": "released", "to": "officer"}),
        (GROUP, "pending", {"case": 1, "event": "released", "to": "group"}),
    ]
    # The other admin is told; nobody is told of the erased admin's id.
    handover = {"event": "handover", "why": "erased", "officer": None, "cases": [1]}
    assert await rows(db, "admin_notice") == [
        (ADMIN2, "pending", {**handover, "announcements": []})
    ]


async def test_an_admin_who_erases_holding_nothing_leaves_no_notice(app, person, db):
    admin = await villager(person, ADMIN)
    await erase(admin)
    assert await rows(db, "admin_notice") == []
