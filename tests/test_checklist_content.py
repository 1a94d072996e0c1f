"""checklist.yaml: the real file loads; broken content stops the bot naming the entry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from bot.content.checklist import CHECKLIST_FILE, load_checklist
from bot.content.errors import ContentError
from bot.content.extract import extract_content

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
