"""The WhatsApp templates file: valid for Meta, printed for WhatsApp Manager by the
command line, and taken by the strict emulator in every template language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.channels.whatsapp import messages
from bot.channels.whatsapp.cloud_api import CloudAPI, CloudAPIError
from bot.channels.whatsapp.emulator import CloudAPIEmulator, approved
from bot.content.errors import ContentError
from bot.content.whatsapp_templates import (
    TEMPLATES_FILE,
    load_templates,
    template_language,
)

NAMES = ["pengingat_persiapan", "pengumuman_desa", "kabar_permintaan_bantuan"]


def test_the_command_line_prints_every_template_in_both_languages(capsys):
    assert main(["whatsapp", "templates"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["language"]) for t in printed] == [
        (name, language) for name in NAMES for language in ("id", "en")
    ]
    announcement = printed[2]
    assert announcement == {
        "name": "pengumuman_desa",
        "language": "id",
        "category": "UTILITY",
        "components": [
            {
                "type": "BODY",
                "text": "Ada pengumuman baru dari {{1}}. Ketuk tombol di bawah untuk membacanya.",
                "example": {"body_text": [["Pusat Layanan Desmigratif Jogosimo"]]},
            },
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Buka pesan"}]},
        ],
    }


def test_javanese_speakers_get_the_indonesian_template():
    assert [template_language(locale) for locale in ("id", "jv", "en")] == ["id", "id", "en"]


async def test_the_emulator_takes_each_template_with_its_example(clock):
    content = load_templates()
    meta = CloudAPIEmulator(clock=clock.now, templates=approved(content))
    api = CloudAPI(
        token=meta.token,
        phone_number_id=meta.phone_number_id,
        base_url="https://graph.example",
        transport=meta,
    )
    for index, template in enumerate(content.templates):
        for language in ("id", "en"):
            to = f"628120000{index}{len(language)}{language == 'en':d}"
            await api.send(messages.template(to, template.name, language, template.example))
    with pytest.raises(CloudAPIError) as caught:
        await api.send(messages.template("6281200009999", "pengumuman_desa", "jv", ["x"]))
    await api.aclose()
    assert caught.value.code == 132001
    assert len(meta.sent) == 6


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = TEMPLATES_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "whatsapp_templates.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("name: pengingat_persiapan", "name: Pengingat Persiapan", "templates.0.name"),
        ("dari {{1}}. Ketuk", "dari {{2}}. Ketuk", "placeholders must run"),
        ('example: ["Pusat Layanan Desmigratif Jogosimo"]', "example: []", "one example"),
        ('button: "Buka pesan"', 'button: "Buka pesan ini sekarang juga ya"', "button"),
        (
            '      en:\n        body: "There is a new reminder',
            '      jv:\n        body: "x',
            "id, en",
        ),
        ("category: UTILITY", "category: PROMOTION", "category"),
        ("name: pengumuman_desa", "name: pengingat_persiapan", "unique"),
    ],
)
def test_what_meta_would_refuse_is_refused_before_it_is_submitted(tmp_path, old, new, says):
    with pytest.raises(ContentError) as caught:
        load_templates(broken(tmp_path, old, new))
    assert says in str(caught.value)
