"""Job-offer levels at their boundaries (issue 14): each rule's own level as the data file
gives it, how flags of several levels combine, and the ``escalate:`` thresholds of
``job_offer.yaml`` one flag below and at each step. Pure calls on the loaded content."""

from __future__ import annotations

import pytest

from bot.content.job_offer import LEVELS, Answers, Rule, load_job_offer
from tests.test_job_offer_rules import CLEAN

OFFER = load_job_offer()
FLAGS = {rule.id: rule for rule in OFFER.rules}


def answers_for(*rules: Rule) -> Answers:
    """A clean offer with the answers that raise ``rules`` (one option of their ``when``,
    every condition of their ``all``)."""
    answers = dict(CLEAN)
    for rule in rules:
        for question, chosen in list(rule.when.items())[:1]:
            answers[question] = chosen[0]
        for question, chosen in rule.all_of.items():
            answers[question] = chosen[0]
    return answers


def raised(answers: Answers) -> set[str]:
    return {rule.id for rule in OFFER.assess(answers).flags}


def simple(level: str) -> list[Rule]:
    """Flags of ``level`` raised by one answer to one question, each question once: any
    number of them can be combined without raising another flag."""
    picked: list[Rule] = []
    used: set[str] = set()
    for rule in OFFER.rules:
        if rule.level != level or rule.all_of or len(rule.when) != 1:
            continue
        [question] = rule.when
        if question in used:
            continue
        used.add(question)
        picked.append(rule)
    return picked


def combination(**counts: int) -> list[Rule]:
    """``counts`` flags per level (``care=2, high=1``), all on different questions."""
    chosen: list[Rule] = []
    used: set[str] = set()
    for level, n in counts.items():
        found = [r for r in simple(level) if not set(r.when) & used][:n]
        assert len(found) == n, f"job_offer.yaml has fewer than {n} simple {level} flags"
        for rule in found:
            used |= set(rule.when)
        chosen += found
    return chosen


# --- every rule's own level, from the data file -----------------------------------------


@pytest.mark.parametrize("rule_id", list(FLAGS), ids=list(FLAGS))
def test_each_rule_alone_gives_its_own_level(rule_id):
    rule = FLAGS[rule_id]
    result = OFFER.assess(answers_for(rule))
    assert [flag.id for flag in result.flags] == [rule_id]
    assert result.level == rule.level


OPTIONS = [
    (rule.id, question, option)
    for rule in OFFER.rules
    for question, chosen in rule.when.items()
    for option in chosen
]


@pytest.mark.parametrize(
    ("rule_id", "question", "option"), OPTIONS, ids=[f"{r}:{q}={o}" for r, q, o in OPTIONS]
)
def test_each_option_of_a_rule_raises_it_at_its_level(rule_id, question, option):
    """Any one answer of a rule's ``when`` raises it (with its ``all`` conditions)."""
    rule = FLAGS[rule_id]
    answers = answers_for(rule) | {question: option}
    result = OFFER.assess(answers)
    assert rule_id in {flag.id for flag in result.flags}
    assert LEVELS.index(result.level) >= LEVELS.index(rule.level or "low")
    # Without that answer (the clean one instead), the rule is not raised.
    clean = answers | {q: CLEAN[q] for q in rule.when}
    assert rule_id not in raised(clean)


def test_the_option_table_is_not_empty():
    assert len(OPTIONS) >= len([r for r in OFFER.rules if r.when]) >= 15


def test_the_rule_table_is_not_empty():
    # The table above covers every level a flag can have, with many rules each.
    by_level = {level: [r.id for r in OFFER.rules if r.level == level] for level in LEVELS}
    assert by_level["low"] == []
    assert len(by_level["care"]) >= 5
    assert len(by_level["high"]) >= 5
    assert len(by_level["stop"]) >= 5
    assert len(FLAGS) == len(OFFER.rules) >= 20


def test_a_clean_offer_is_low_without_flags():
    result = OFFER.assess(dict(CLEAN))
    assert (result.level, result.flags) == ("low", [])


# --- combinations: the worst flag, raised by the escalate steps ------------------------

COMBINATIONS = [
    # (flags per level, expected level)
    ({"stop": 1, "care": 1}, "stop"),
    ({"stop": 1, "care": 2}, "stop"),
    ({"high": 1}, "high"),
    ({"high": 2}, "high"),  # two high flags are not yet "stop"
    ({"high": 3}, "stop"),  # three are
    ({"high": 4}, "stop"),
    ({"care": 1}, "care"),
    ({"care": 2}, "care"),  # two small doubts stay "care"
    ({"care": 3}, "high"),  # three make "high"
    ({"care": 4}, "high"),  # but many small doubts never make "stop"
    ({"high": 1, "care": 1}, "high"),  # the mildest flag never decides the level
    ({"high": 2, "care": 1}, "high"),  # 3 at care or worse → high, only 2 high: not stop
    ({"high": 2, "care": 2}, "high"),
    ({"high": 1, "care": 2}, "high"),
    ({"stop": 1, "high": 2}, "stop"),
    ({"stop": 1, "high": 1, "care": 1}, "stop"),
    ({"stop": 2}, "stop"),
]


@pytest.mark.parametrize(
    ("counts", "level"),
    COMBINATIONS,
    ids=["+".join(f"{n}{lvl}" for lvl, n in counts.items()) for counts, _ in COMBINATIONS],
)
def test_combined_flags_give_the_exact_level(counts, level):
    rules = combination(**counts)
    answers = answers_for(*rules)
    # Exactly the chosen flags are raised, so the level comes from them alone.
    assert raised(answers) == {rule.id for rule in rules}
    assert len(rules) == sum(counts.values())
    result = OFFER.assess(answers)
    assert result.level == level
    # Most serious first.
    ranks = [LEVELS.index(flag.level or "low") for flag in result.flags]
    assert ranks == sorted(ranks, reverse=True)


STEPS = [(step.flags, step.at, step.to) for step in OFFER.escalate]


def test_the_escalate_steps_are_the_ones_the_table_assumes():
    assert STEPS == [(3, "care", "high"), (3, "high", "stop")]


@pytest.mark.parametrize(
    ("flags", "at", "to"), STEPS, ids=[f"{n}x{at}->{to}" for n, at, to in STEPS]
)
def test_escalate_thresholds_from_the_data_file(flags, at, to):
    """One flag below the threshold: still ``at``; at the threshold: ``to``."""
    below = combination(**{at: flags - 1})
    assert OFFER.assess(answers_for(*below)).level == at
    reached = combination(**{at: flags})
    assert raised(answers_for(*reached)) == {rule.id for rule in reached}
    assert OFFER.assess(answers_for(*reached)).level == to
