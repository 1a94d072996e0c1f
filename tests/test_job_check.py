"""The job-offer check: each rule on its own, every risk level through the dialog in id
and jv, a stop and a low result word for word, and the officers' statistics with area
scoping. The rule table itself is tests/test_job_offer_rules.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.content.job_offer import LEVELS, load_job_offer
from storage.models import JobCheck, QuizRound
from tests.announcing import officer, villager
from tests.test_job_offer_rules import CLEAN
from tests.transcript import label, sees, tr

OFFER = load_job_offer()
SAFE = CLEAN  # clean in every answer


def test_safe_answers_raise_no_flag():
    result = OFFER.assess(SAFE)
    assert (result.level, result.flags) == ("low", [])
    assert [rule.id for rule in result.advice] == ["check-licence", "own-answers"]


def triggering(rule, option_index: int = 0) -> dict[str, str]:
    """Clean answers changed just enough for ``rule``: the ``option_index``-th option of
    its first ``when`` question (its last option if there are fewer), the first of every
    ``all`` condition."""
    answers = {**SAFE, **{q: options[0] for q, options in rule.all_of.items()}}
    if rule.when:
        question, options = next(iter(rule.when.items()))
        answers[question] = options[min(option_index, len(options) - 1)]
    return answers


@pytest.mark.parametrize("rule", OFFER.rules, ids=lambda rule: rule.id)
def test_each_rule_on_its_own(rule):
    for index in range(max((len(options) for options in rule.when.values()), default=1)):
        result = OFFER.assess(triggering(rule, index))
        assert [flag.id for flag in result.flags] == [rule.id]  # that rule alone
        assert result.level == rule.level, [f.id for f in result.flags]


def test_three_high_flags_mean_stop():
    answers = {**SAFE, "who-offered": "person", "contract": "not-seen", "registered": "no"}
    result = OFFER.assess(answers)
    assert {rule.level for rule in result.flags} == {"high"}
    assert (len(result.flags), result.level) == (3, "stop")
    assert OFFER.assess({**answers, "registered": "yes"}).level == "high"


def answers_for(level: str) -> dict[str, str]:
    if level == "low":
        return dict(SAFE)
    rule = next(r for r in OFFER.rules if r.level == level)
    answers = triggering(rule)
    assert OFFER.assess(answers).level == level
    return answers


async def run_check(p, locale, answers):
    reply = await p.say("/cekkerja")
    for index, question in enumerate(OFFER.questions):
        sees(
            reply,
            locale,
            "<b>🔎 Job offer check</b> ({n} / {total})",
            n=index + 1,
            total=len(OFFER.questions),
        )
        option = next(o for o in question.options if o.id == answers[question.id])
        reply = await p.tap(label(locale, "", option.text))
    return reply


LEVEL_TEXT = {
    "low": "🟢 Low risk: no warning sign found in your answers",
    "care": "🟡 Take care: check these points before you go further",
    "high": "🟠 High risk: do not pay or sign anything before checking",
    "stop": "⛔ Stop: this offer shows signs of trafficking",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("level", LEVELS)
async def test_each_level_through_the_dialog(person, db, locale, level):
    p = await villager(person, 1301, locale=locale, role="prospective")
    answers = answers_for(level)
    reply = await run_check(p, locale, answers)
    sees(reply, locale, LEVEL_TEXT[level])
    result = OFFER.assess(answers)
    for rule in result.flags:
        assert label(locale, "", rule.flag) in reply.text
    for rule in [*result.flags, *result.advice]:
        assert label(locale, "", rule.verify) in reply.text
    assert label(locale, "", OFFER.advice[0].verify) in reply.text  # the licence check
    assert "0800-1000" in reply.text
    stored = (await db.scalars(select(JobCheck))).one()
    assert (stored.level, stored.village_id, stored.answers) == (level, "jogosimo", answers)
    assert stored.flags == [rule.id for rule in result.flags]  # flags only, never advice


async def test_stale_and_forged_answers(person, db):
    p = await villager(person, 1302, role="prospective")
    await p.say("/cekkerja")
    first = OFFER.questions[0]
    await p.tap(label("id", "", first.options[0].text))
    reply = await p.press(f"jc:a:0:{first.options[1].id}")  # the first question again
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    sees(reply, "id", "<b>🔎 Job offer check</b> ({n} / {total})", n=2, total=len(OFFER.questions))
    reply = await p.press("jc:a:1:no-such-option")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    reply = await p.send("voice")
    sees(reply, "id", "I can only read text messages and button taps here.")
    assert (await db.scalars(select(JobCheck))).all() == []


async def seed_statistics(app, db, clock):
    now = clock.now()
    rows = [
        QuizRound(
            person_id=1,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=4,
        ),
        QuizRound(
            person_id=2,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=8,
        ),
        QuizRound(
            person_id=3,
            village_id="candirenggo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=10,
        ),
        QuizRound(
            person_id=4,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now - timedelta(days=60),
            finished_at=now - timedelta(days=60),
            score=0,
        ),
        JobCheck(
            person_id=1,
            village_id="jogosimo",
            level="stop",
            flags=[],
            answers={},
            created_at=now,
        ),
        JobCheck(
            person_id=3,
            village_id="candirenggo",
            level="high",
            flags=[],
            answers={},
            created_at=now,
        ),
        JobCheck(person_id=5, village_id=None, level="stop", flags=[], answers={}, created_at=now),
    ]
    db.add_all(rows)
    await db.commit()


async def test_statistics_are_scoped_to_the_area(app, person, db, clock):
    await seed_statistics(app, db, clock)
    village_officer = await officer(app, person, 1390, "jogosimo")
    await village_officer.say("/menu")
    await village_officer.tap(label("id", "menu", "🛡 Officer menu"))
    reply = await village_officer.tap(label("id", "button", "📊 Quiz and job-check stats"))
    sees(reply, "id", "People who finished the quiz: {n}", n=2)  # the 60-day-old round is out
    sees(reply, "id", "Average score: {score} of {total}", score="6", total=10)
    assert "Candirenggo" not in reply.text
    assert "Jogosimo" in reply.text
    reply = await village_officer.tap(label("id", "", "{n} days", n=90))
    sees(reply, "id", "People who finished the quiz: {n}", n=3)

    district = await officer(app, person, 1391, "kebumen")
    await district.say("/menu")
    await district.tap(label("id", "menu", "🛡 Officer menu"))
    reply = await district.tap(label("id", "button", "📊 Quiz and job-check stats"))
    sees(reply, "id", "People who finished the quiz: {n}", n=3)
    assert "Candirenggo" in reply.text
    assert label("id", "", "other villages") not in reply.text  # not in Kebumen's villages


async def test_villagers_cannot_see_statistics(person):
    p = await villager(person, 1303)
    reply = await p.press("st:30")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")


def notes(locale: str, term_ids: tuple[str, ...]) -> str:
    """The explanations of the abbreviations a screen uses, as shown under it."""
    from bot.content.glossary import load_glossary

    terms = {term.id: term for term in load_glossary().terms}
    lines = [
        tr(locale, "{term}: {meaning}", term=terms[i].term, meaning=tr(locale, terms[i].meaning))
        for i in term_ids
    ]
    return "\n\n" + "\n".join(lines) + "\n" + tr(locale, "All the words explained: /istilah")


# The exact screens of a stop and a low result, as the person reads them.
RESULTS = {
    ("id", "stop"): [
        "⛔ Berhenti: tawaran ini menunjukkan tanda perdagangan orang\n"
        "Tanda bahaya dalam tawaran ini:\n"
        "• Pinjaman dari calo, sponsor, atau perusahaan penempatan yang dibayar dengan potongan"
        " gaji adalah jeratan utang, salah satu cara perdagangan orang (TPPO) menurut"
        " undang-undang.",
        "Apa yang perlu diperiksa, dan di mana:\n"
        "• Jangan menandatangani pinjaman itu. Laporkan ke Disnaker atau telepon 0800-1000"
        " (gratis, 24 jam). Pinjaman bank untuk pekerja migran (KUR PMI) adalah hal lain:"
        " tanyakan ke Disnaker.\n"
        "• Siapa pun yang memberi tawaran, periksa perusahaan penempatannya di daftar SISKOP2MI,"
        " atau tanyakan ke Disnaker atau LTSA. Buktinya adalah izin (SIP3MI), bukan nama atau"
        " logo pada tawaran.\n"
        "Bantuan: KemenP2MI/BP2MI 0800-1000 (gratis, 24 jam), polisi 110. Disnaker dan LTSA"
        " memeriksa perusahaan penempatan dan tawaran kerja secara gratis.",
    ],
    ("jv", "stop"): [
        "⛔ Kendel rumiyin: tawaran menika nedahaken tandha-tandha perdagangan tiyang\n"
        "Tandha bebaya ing tawaran menika:\n"
        "• Pinjaman saking calo, sponsor, utawi PT penempatan ingkang dipunlunasi saking potongan"
        " bayaran menika jiratan utang, salah satunggaling cara perdagangan tiyang (TPPO)"
        " miturut undang-undang.",
        "Ingkang kedah dipunpriksa, saha wonten pundi:\n"
        "• Sampun ngantos tapak asma pinjaman menika. Lapor dhateng Disnaker utawi telpon"
        " 0800-1000 (gratis, 24 jam). Pinjaman bank kangge pekerja migran (KUR PMI) menika bab"
        " sanes: takenaken dhateng Disnaker.\n"
        "• Sinten kemawon ingkang nawani, priksa PT penempatanipun ing daftar SISKOP2MI, utawi"
        " takenaken dhateng Disnaker utawi LTSA. Buktinipun izin (SIP3MI), sanes nama utawi"
        " logo ing tawaran.\n"
        "Pitulungan: KemenP2MI/BP2MI 0800-1000 (gratis, 24 jam), polisi 110. Disnaker saha LTSA"
        " mriksa PT penempatan saha tawaran padamelan kanthi gratis.",
    ],
    ("id", "low"): [
        "🟢 Risiko rendah: tidak ditemukan tanda bahaya dalam jawaban Anda\n"
        "Apa yang perlu diperiksa, dan di mana:\n"
        "• Siapa pun yang memberi tawaran, periksa perusahaan penempatannya di daftar SISKOP2MI,"
        " atau tanyakan ke Disnaker atau LTSA. Buktinya adalah izin (SIP3MI), bukan nama atau"
        " logo pada tawaran.\n"
        "• Ini jawaban Anda sendiri, dan bot tidak dapat memeriksanya. Sebelum membayar atau"
        " menandatangani apa pun, pastikan tawaran ini ke Disnaker atau BP3MI.\n"
        "Bantuan: KemenP2MI/BP2MI 0800-1000 (gratis, 24 jam), polisi 110. Disnaker dan LTSA"
        " memeriksa perusahaan penempatan dan tawaran kerja secara gratis.",
    ],
    ("jv", "low"): [
        "🟢 Risiko andhap: boten wonten tandha bebaya ing wangsulan panjenengan\n"
        "Ingkang kedah dipunpriksa, saha wonten pundi:\n"
        "• Sinten kemawon ingkang nawani, priksa PT penempatanipun ing daftar SISKOP2MI, utawi"
        " takenaken dhateng Disnaker utawi LTSA. Buktinipun izin (SIP3MI), sanes nama utawi"
        " logo ing tawaran.\n"
        "• Menika wangsulan panjenengan piyambak, saha bot boten saged mriksa. Saderengipun"
        " mbayar utawi tapak asma punapa kemawon, pastekaken tawaran menika dhateng Disnaker"
        " utawi BP3MI.\n"
        "Pitulungan: KemenP2MI/BP2MI 0800-1000 (gratis, 24 jam), polisi 110. Disnaker saha LTSA"
        " mriksa PT penempatan saha tawaran padamelan kanthi gratis.",
    ],
}
BUTTONS = {
    ("id", "stop"): ["🆘 Minta bantuan petugas", "Cek tawaran lain", "« Menu"],
    ("jv", "stop"): ["🆘 Nyuwun pitulungan petugas", "Priksa tawaran sanes", "« Menu"],
    ("id", "low"): ["Cek tawaran lain", "« Menu"],
    ("jv", "low"): ["Priksa tawaran sanes", "« Menu"],
}


@pytest.mark.parametrize(("locale", "level"), list(RESULTS))
async def test_result_screens_word_for_word(person, db, locale, level):
    p = await villager(person, 1304, locale=locale, role="prospective")
    answers = {**SAFE, "fees": "recruiter-loan"} if level == "stop" else dict(SAFE)
    reply = await run_check(p, locale, answers)
    # Under the checks, each abbreviation they use is explained (glossary.yaml's order).
    used = ("disnaker", "ltsa", "kemenp2mi", "siskop2mi")
    if level == "low":
        used = ("disnaker", "ltsa", "bp3mi", "kemenp2mi", "siskop2mi")
    expected = [*RESULTS[locale, level][:-1], RESULTS[locale, level][-1] + notes(locale, used)]
    assert [message.text for message in reply.messages] == expected
    assert reply.messages[-1].buttons == BUTTONS[locale, level]
    # The verdict replaces the last question; the checks come as a new message under it.
    assert [message.edited for message in reply.messages] == [True] + [False] * (level == "stop")
    stored = (await db.scalars(select(JobCheck))).one()
    assert (stored.level, stored.flags) == (level, ["recruiter-loan"] if level == "stop" else [])
