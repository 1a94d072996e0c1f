"""checklist.yaml: the real file loads; broken content stops the bot naming the entry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from bot.content.checklist import CHECKLIST_FILE, load_checklist
from bot.content.errors import ContentError
from bot.content.extract import extract_content
from bot.content.quiz import load_quiz
from tests.transcript import tr

REAL = yaml.safe_load(CHECKLIST_FILE.read_text(encoding="utf-8"))


def test_the_real_file_loads():
    checklist = load_checklist()
    assert len(checklist.items) >= 15
    assert {"d30", "d14", "d7", "d1", "a7"} <= set(checklist.reminders)
    assert checklist.expiry_reminder_days == (90, 30)
    for item in checklist.items.values():
        assert item.source
        if item.cost == "check":  # unverified or in flux: the user is told to ask first
            assert "Disnaker" in item.cost_note or "BP3MI" in item.cost_note, item.id


def test_only_verified_hotlines_are_published():
    text = CHECKLIST_FILE.read_text(encoding="utf-8")
    assert "0811-8080-141" not in text  # [S] only, not verified
    assert "1708" not in text


def broken(tmp_path: Path, change) -> str:
    data = yaml.safe_load(CHECKLIST_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_checklist(path)
    return str(error.value)


def test_duplicate_item(tmp_path):
    message = broken(tmp_path, lambda d: d["items"].append(dict(d["items"][0])))
    assert message.startswith("Content error in checklist.yaml")
    assert "duplicate item id 'ktp-kk'" in message


def test_free_item_without_law(tmp_path):
    def change(data):
        item = next(i for i in data["items"] if i["cost"] == "free")
        del item["legal_basis"]

    message = broken(tmp_path, change)
    assert "(item 'disnaker-registration')" in message
    assert "must name its legal basis" in message


def test_reminder_naming_an_unknown_item(tmp_path):
    message = broken(tmp_path, lambda d: d["reminders"][0]["items"].append("flying-carpet"))
    assert "reminder 'd30': unknown items ['flying-carpet']" in message


def test_unknown_time_zone(tmp_path):
    def change(data):
        data["countries"][0]["timezone"] = "Asia/Atlantis"

    message = broken(tmp_path, change)
    assert "(country 'malaysia')" in message
    assert "unknown time zone" in message


def test_extractor_offers_every_text_to_translators():
    found = list(extract_content(io.BytesIO(CHECKLIST_FILE.read_bytes()), {}, [], {}))
    messages = {message for _line, _func, message, _comments in found}
    for item in REAL["items"]:
        for field in ("title", "why", "where", "cost_note", "warning"):
            assert item[field] in messages
    for reminder in REAL["reminders"]:
        assert reminder["text"] in messages
    comments = {c for *_rest, comments in found for c in comments}
    assert "TRANSLATORS: item passport: why" in comments
    assert not any(item["source"] in messages for item in REAL["items"])


def test_every_country_names_its_office():
    countries = load_checklist().countries
    assert countries["taiwan"].office == "KDEI Taipei"  # no embassy in Taiwan (§8.2)
    assert countries["malaysia"].office == "KBRI Kuala Lumpur"
    assert countries["hong-kong"].office == "KJRI Hong Kong"
    for country in countries.values():
        assert country.office_kind in {"KBRI", "KJRI", "KDEI"}
        assert "§8.2" in country.source
        assert not any(ch.isdigit() for ch in country.office)  # no phone numbers


def _set(kind: str, entry_id: str, field: str, value: str):
    def change(data):
        entry = next(e for e in data[kind] if e["id"] == entry_id)
        entry[field] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _set("countries", "taiwan", "office", "Embassy Taipei"),
            ["(country 'taiwan')", "office", "should match pattern"],
        ),
        (
            _set("items", "report-embassy", "where", "Report yourself to {embassy}."),
            ["(item 'report-embassy')", "unknown placeholder '{embassy}'"],
        ),
        (  # titles are buttons and list entries: never formatted
            _set("items", "ktp-kk", "title", "Report to {office}"),
            ["(item 'ktp-kk')", "unknown placeholder '{office}' (allowed: none)"],
        ),
        (
            _set("reminders", "a7", "text", "Report yourself to {office} and {boss}."),
            ["(reminder 'a7')", "unknown placeholder '{boss}'"],
        ),
    ],
)
def test_offices_and_placeholders_are_checked(tmp_path, change, expected):
    message = broken(tmp_path, change)
    for fragment in expected:
        assert fragment in message


def _content_texts() -> list[str]:
    return [
        message
        for path in sorted(CHECKLIST_FILE.parent.glob("*.yaml"))  # every content file
        for _line, _func, message, _comments in extract_content(
            io.BytesIO(path.read_bytes()), {}, [], {}
        )
    ]


def _python_texts() -> list[str]:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "pgettext": ((1, "c"), 2), "N_": None}
    root = Path(__file__).parents[1]
    found = []
    for folder in ("bot", "handlers"):
        for *_where, message, _comments, _context in extract_from_dir(
            root / folder, [("**.py", "python")], keywords=keywords
        ):
            found += [message] if isinstance(message, str) else list(message)
    return found


def test_the_ministry_is_named_kemenp2mi_bp2mi():
    texts = _content_texts() + _python_texts()
    assert any("KemenP2MI/BP2MI" in text for text in texts)
    for text in texts:
        for locale in ("en", "id", "jv"):
            shown = tr(locale, text) if locale != "en" else text
            assert "BP2MI" not in shown.replace("KemenP2MI/BP2MI", ""), (locale, text)


def test_free_registration_does_not_cite_the_placement_cost_article():
    registration = load_checklist().items["disnaker-registration"]
    assert registration.cost == "free"
    assert "Pasal 30" not in (registration.legal_basis or "")
    assert "Pasal 30" not in registration.source
    question = load_quiz().questions["fee-to-personal-account"]
    assert "Pasal 30" not in question.source
    free_items = [
        item
        for item in load_checklist().items.values()
        if "Registration is free" in item.cost_note
    ]
    free_questions = [
        question
        for question in load_quiz().questions.values()
        if "Registering at Disnaker or the LTSA is free" in question.explanation
    ]
    assert [i.id for i in free_items] == ["disnaker-registration"]
    assert [q.id for q in free_questions] == ["fee-to-personal-account"]
    for item in free_items:
        assert "Pasal 30" not in f"{item.legal_basis} {item.source}", item.id
    for question in free_questions:
        assert "Pasal 30" not in question.source, question.id


SPOUSE = {
    "en": ("husband or wife", "parent"),
    "id": ("suami", "orang tua"),
    "jv": ("garwa", "sepuh"),
}


def test_the_permission_letter_names_the_spouse_first():
    item = load_checklist().items["permission-letter"]
    assert item.title.index("spouse") < item.title.index("parent")
    for text in (item.why, item.where):
        for locale, (spouse, parent) in SPOUSE.items():
            shown = tr(locale, text) if locale != "en" else text
            assert 0 <= shown.index(spouse) < shown.index(parent), (locale, shown)
    about_the_letter = [  # every other text about the letter, too
        text for text in _content_texts() if "permission letter" in text and "parent" in text
    ]
    assert len(about_the_letter) == 3
    for text in about_the_letter:
        assert text.index("husband or wife") < text.index("parent"), text
