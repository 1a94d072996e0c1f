"""The job-offer rules as a table: answer combinations with their exact level, flags and
advice (pure calls on the loaded ``job_offer.yaml``, no bot), the schema's refusals, and
the room the result must fit in (Telegram's 4096 characters)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content.errors import ContentError
from bot.content.job_offer import JOB_OFFER_FILE, load_job_offer
from tests.transcript import tr

OFFER = load_job_offer()
CLEAN = {
    "who-offered": "licensed-agency",
    "destination": "taiwan",
    "job": "factory",
    "visa": "work-visa",
    "fees": "none",
    "contract": "seen-signed",
    "passport": "i-keep",
    "route": "airport-direct",
    "waiting": "home",
    "registered": "yes",
    "documents-changed": "no",
    "age": "age-18-plus",
}
# Shown at every level: the answers are self-reported, so the licence is always checked.
LICENCE = {"check-licence"}
# At low and care the person is also told that the bot cannot check their answers.
SELF_REPORTED = {"check-licence", "own-answers"}
DONT_KNOW = {
    "who-offered": "unknown",
    "visa": "not-told",
    "contract": "seen-not-signed",
    "passport": "not-told",
    "route": "not-told",
    "waiting": "not-told",
    "registered": "not-sure",
}
# Perban BP2MI 9/2020 Pasal 3: the ten jobs a worker must not be charged for, and the
# answer a person doing each of them taps (content-facts §1.7).
FEE_BAN = {
    "domestic worker": "domestic",
    "baby-sitter": "domestic",
    "elderly carer": "domestic",
    "child carer": "domestic",
    "cook": "cook-cleaner",
    "cleaner": "cook-cleaner",
    "family driver": "family-driver-gardener",
    "gardener": "family-driver-gardener",
    "farm or plantation worker": "plantation",
    "migrant fishing crew": "fishing",
}
JOBS = [option.id for q in OFFER.questions if q.id == "job" for option in q.options]
assert len(JOBS) >= 5, JOBS  # the tables below loop over these: never over nothing
# The Middle East with every job: the 2015 moratorium is on work for households (§8.1).
MIDDLE_EAST: dict[str, tuple[str, set[str], set[str]]] = {
    "domestic": ("high", {"middle-east-housework"}, LICENCE),
    "family-driver-gardener": ("high", {"middle-east-housework"}, LICENCE),
    "cook-cleaner": ("low", set(), SELF_REPORTED),
    "plantation": ("low", set(), SELF_REPORTED),
    "fishing": ("low", set(), SELF_REPORTED),
    "factory": ("low", set(), SELF_REPORTED),
    "it-admin-online": ("care", {"online-job"}, SELF_REPORTED),
    "other": ("low", set(), SELF_REPORTED),
}

# (name, answers changed from CLEAN, level, flags, advice)
Case = tuple[str, dict[str, str], str, set[str], set[str]]
FEE = {"fees": "to-agency-official"}
LPK = {"who-offered": "training-centre"}
ALL_DONT_KNOW = {
    "unknown-recruiter", "visa-not-told", "contract-not-signed", "passport-not-told",
    "route-not-told", "registration-unsure",
}  # fmt: skip
# fmt: off
CASES: list[Case] = [
    ("clean in every answer", {}, "low", set(), SELF_REPORTED),
    ("every I-don't-know answer at once", DONT_KNOW, "high", ALL_DONT_KNOW, LICENCE),
    *[(f"{job} paying an agency fee", {"job": answer, **FEE}, "high", {"fee-banned-job"}, LICENCE)
      for job, answer in FEE_BAN.items()],
    ("factory work, agency fee", FEE, "care", {"fee-to-agency"}, SELF_REPORTED),
    ("other work, agency fee", {"job": "other", **FEE}, "care", {"fee-to-agency"}, SELF_REPORTED),
    ("online work, agency fee: two care", {"job": "it-admin-online", **FEE}, "care",
     {"online-job", "fee-to-agency"}, SELF_REPORTED),
    *[(f"Middle East, {job}", {"destination": "middle-east", "job": job}, *expected)
      for job, expected in MIDDLE_EAST.items()],
    ("Middle East housework with an agency fee",
     {"destination": "middle-east", "job": "domestic", **FEE}, "high",
     {"middle-east-housework", "fee-banned-job"}, LICENCE),
    ("housework in Hong Kong", {"destination": "hong-kong", "job": "domestic"}, "low", set(),
     SELF_REPORTED),
    ("loan from a recruiter or agency", {"fees": "recruiter-loan"}, "stop", {"recruiter-loan"},
     LICENCE),
    ("KUR PMI bank loan", {"fees": "bank-loan"}, "low", set(),
     {"check-licence", "bank-loan", "own-answers"}),
    ("KUR PMI loan on a banned job", {"job": "domestic", "fees": "bank-loan"}, "low", set(),
     {"check-licence", "bank-loan", "own-answers"}),
    ("uang tip or panjar", {"fees": "tip-advance"}, "stop", {"tip-advance"}, LICENCE),
    ("salary cut later", {"fees": "salary-cut"}, "high", {"salary-cut"}, LICENCE),
    ("fee paid to a person", {"fees": "to-person"}, "high", {"fee-to-person"}, LICENCE),
    ("LPK placing in Malaysia", {**LPK, "destination": "malaysia"}, "high",
     {"training-centre-recruiter"}, LICENCE),
    ("LPK placing in Korea", {**LPK, "destination": "korea"}, "high",
     {"training-centre-recruiter"}, LICENCE),
    ("LPK sending to Japan (only a licensed LPK-SO may)", {**LPK, "destination": "japan"},
     "care", {"training-centre-japan"}, SELF_REPORTED),
    ("licensed agency still asks a fee for housework",
     {"who-offered": "licensed-agency", "job": "domestic", **FEE}, "high", {"fee-banned-job"},
     LICENCE),
    ("the government, fishing crew with a fee",
     {"who-offered": "government", "job": "fishing", **FEE}, "high", {"fee-banned-job"},
     LICENCE),
    ("the government, otherwise clean", {"who-offered": "government"}, "low", set(),
     SELF_REPORTED),
    ("three care flags", {"who-offered": "unknown", "visa": "not-told", "route": "not-told"},
     "high", {"unknown-recruiter", "visa-not-told", "route-not-told"}, LICENCE),
    ("two care flags", {"who-offered": "unknown", "visa": "not-told"}, "care",
     {"unknown-recruiter", "visa-not-told"}, SELF_REPORTED),
    ("one care flag", {"passport": "not-told"}, "care", {"passport-not-told"}, SELF_REPORTED),
    ("three high flags", {"who-offered": "person", "contract": "not-seen", "registered": "no"},
     "stop", {"personal-recruiter", "no-contract", "not-registered"}, LICENCE),
    ("two high flags", {"who-offered": "person", "registered": "no"}, "high",
     {"personal-recruiter", "not-registered"}, LICENCE),
    ("two high and one care", {"who-offered": "person", "registered": "no", "visa": "not-told"},
     "high", {"personal-recruiter", "not-registered", "visa-not-told"}, LICENCE),
    ("social-media ad", {"who-offered": "social-media"}, "high", {"social-media-ad"}, LICENCE),
    ("tourist visa", {"visa": "tourist-visit"}, "stop", {"tourist-visa"}, LICENCE),
    ("umrah visa", {"visa": "umrah"}, "stop", {"tourist-visa"}, LICENCE),
    ("Cambodia, Myanmar or Thailand", {"destination": "cambodia-myanmar-thailand"}, "stop",
     {"scam-compound-countries"}, LICENCE),
    ("ferry from Batam", {"route": "batam-ferry"}, "stop", {"batam-ferry"}, LICENCE),
    ("agency keeps the passport", {"passport": "agency-holds"}, "stop", {"passport-held"},
     LICENCE),
    ("kept in a house they choose", {"waiting": "recruiter-place"}, "high", {"holding-place"},
     LICENCE),
    ("documents changed", {"documents-changed": "yes"}, "stop", {"fake-documents"}, LICENCE),
    ("under 18", {"age": "under-18"}, "stop", {"under-18"}, LICENCE),
]
# fmt: on


@pytest.mark.parametrize(
    ("changes", "level", "flags", "advice"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_answers_give_exactly(changes, level, flags, advice):
    result = OFFER.assess({**CLEAN, **changes})
    assert result.level == level
    assert {rule.id for rule in result.flags} == flags
    assert {rule.id for rule in result.advice} == advice


def test_the_table_is_large_and_ids_are_real():
    assert len(CASES) >= 30
    assert set(FEE_BAN.values()) <= set(JOBS)
    assert list(MIDDLE_EAST) == JOBS
    options = {q.id: {o.id for o in q.options} for q in OFFER.questions}
    assert set(CLEAN) == set(options)
    for name, changes, _level, flags, advice in CASES:
        assert all(changes[q] in options[q] for q in changes), name
        assert flags <= {rule.id for rule in OFFER.rules}, name
        assert advice <= {rule.id for rule in OFFER.advice}, name


def test_flags_come_most_serious_first():
    result = OFFER.assess({**CLEAN, **DONT_KNOW, "visa": "umrah", "waiting": "recruiter-place"})
    assert [rule.level for rule in result.flags][:2] == ["stop", "high"]
    assert result.level == "stop"


def test_every_rule_names_its_source():
    for rule in [*OFFER.rules, *OFFER.advice]:
        assert "content-facts §" in rule.source, rule.id


# --- the thresholds and the schema are data -----------------------------------------------


def load_changed(tmp_path: Path, change):
    data = yaml.safe_load(JOB_OFFER_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / JOB_OFFER_FILE.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_job_offer(path)


def refused(tmp_path: Path, change) -> str:
    with pytest.raises(ContentError) as error:
        load_changed(tmp_path, change)
    return str(error.value)


def test_thresholds_are_read_from_the_file(tmp_path):
    def two_care_make_high(data):
        data["escalate"][0]["flags"] = 2

    offer = load_changed(tmp_path, two_care_make_high)
    two_care = {**CLEAN, "who-offered": "unknown", "visa": "not-told"}
    assert offer.assess(two_care).level == "high"
    assert OFFER.assess(two_care).level == "care"


def rule_named(data, rule_id):
    return next(rule for rule in data["rules"] if rule["id"] == rule_id)


def test_unknown_question_in_all(tmp_path):
    message = refused(tmp_path, lambda d: rule_named(d, "fee-banned-job")["all"].update(pay=["x"]))
    assert "job_offer.yaml" in message
    assert "rule 'fee-banned-job': unknown question 'pay'" in message


def test_unknown_option_in_all(tmp_path):
    def change(data):
        rule_named(data, "middle-east-housework")["all"]["destination"] = ["saudi"]

    message = refused(tmp_path, change)
    assert "rule 'middle-east-housework': unknown options ['saudi'] of 'destination'" in message


def test_flag_without_level(tmp_path):
    message = refused(tmp_path, lambda d: rule_named(d, "batam-ferry").pop("level"))
    assert "(rule 'batam-ferry')" in message
    assert "a flag needs both `level` and `flag`" in message


def test_flag_without_condition(tmp_path):
    message = refused(tmp_path, lambda d: rule_named(d, "batam-ferry").pop("when"))
    assert "(rule 'batam-ferry')" in message
    assert "a flag needs `when` or `all`" in message


def test_escalation_must_go_up(tmp_path):
    def change(data):
        data["escalate"][1]["to"] = "high"

    assert "escalation from 'high' must go to a worse level" in refused(tmp_path, change)


def test_unknown_field_in_a_rule(tmp_path):
    message = refused(tmp_path, lambda d: rule_named(d, "under-18").update(any={"age": ["x"]}))
    assert "(rule 'under-18')" in message
    assert "Extra inputs are not permitted" in message


# --- limits of what the person sees -------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "jv", "en"])
def test_each_result_message_fits_in_telegram(locale):
    """The result is two messages (signs; checks and help). Whatever the answers, each fits:
    for every question, the longest texts any one of its options can raise are added up."""

    def worst(field: str) -> int:
        total = 0
        for question in OFFER.questions:
            total += max(
                sum(
                    len(tr(locale, getattr(rule, field))) + 3
                    for rule in OFFER.rules
                    if option.id in {**rule.when, **rule.all_of}.get(question.id, [])
                )
                for option in question.options
            )
        return total

    advice = sum(len(tr(locale, rule.verify)) + 3 for rule in OFFER.advice)
    room = 4096 - 400  # the level, the headings and the help line
    assert worst("flag") < room
    assert worst("verify") + advice < room
