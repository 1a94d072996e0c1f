"""Faults during an announcement to a crowd and a burst of reminders (reliability suite,
item 2): every delivery ends sent, blocked or failed with a reason, and nobody gets a
message twice or misses one that is marked sent. ``bench/reliability_faults.py`` runs the
same with 10,000 people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from tests.faults import crowd, under_faults

PEOPLE = 1_200


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), frozen=True)  # 08:00 WIB


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"broadcast_rate": 1000, "broadcast_paid": True})


async def test_faults_during_an_announcement_and_reminders(app, emulator, clock):
    ids = await crowd(app, emulator, PEOPLE)
    outcome = await under_faults(app, emulator, clock, ids)
    blocked = len(ids[7::97])
    assert outcome.open_rows == 0
    assert outcome.failed_without_reason == 0
    assert (outcome.sent_twice, outcome.sent_but_missing) == (0, 0)
    # Everyone is announced to; the travellers (every fourth) also get their "a week
    # before" reminder (their three later ones wait for their days). Only those who
    # blocked the bot are not reached: Telegram answered each of them 403 once.
    travellers_blocked = sum(1 for i in ids[7::97] if i % 4 == 0)
    assert outcome.rows == {
        ("announcement", "sent"): PEOPLE - blocked,
        ("announcement", "blocked"): blocked,
        ("reminder", "sent"): PEOPLE // 4 - travellers_blocked,
        ("reminder", "blocked"): travellers_blocked,
        ("reminder", "pending"): 3 * (PEOPLE // 4),
    }
    # Every kind of fault really happened (else the test proves nothing).
    assert outcome.faults["429"] == 5
    assert outcome.faults["403"] == blocked + travellers_blocked
    assert outcome.faults["5xx"] >= 40
    assert outcome.faults["timeout"] >= 20
