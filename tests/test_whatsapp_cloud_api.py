"""The WhatsApp Cloud API client and payloads against the strict emulator: what Meta
takes, and each thing it refuses, on both sides of every limit."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.channels.layout import PAGE_PREFIX, WHATSAPP, lay_out
from bot.channels.whatsapp import cloud_api, messages
from bot.channels.whatsapp.cloud_api import CloudAPI, CloudAPIError
from bot.channels.whatsapp.emulator import CloudAPIEmulator, Template
from bot.clock import ManualClock
from bot.conversation.choices import Choice

SITI = "6281234567890"


@pytest.fixture
def meta(clock: ManualClock) -> CloudAPIEmulator:
    emulator = CloudAPIEmulator(
        clock=clock.now,
        templates=[
            Template("pengingat_persiapan", "id", parameters=1),
            Template("pengingat_persiapan", "en", parameters=1),
            Template("kabar_permohonan", "id", parameters=1, status="PENDING"),
        ],
    )
    emulator.inbound(SITI)
    return emulator


@pytest.fixture
async def api(meta: CloudAPIEmulator):
    client = CloudAPI(
        token=meta.token,
        phone_number_id=meta.phone_number_id,
        base_url="https://graph.example/v21.0",
        transport=meta,
    )
    yield client
    await client.aclose()


def choices(*labels: str) -> list[Choice]:
    return [Choice(f"c:{index}", label) for index, label in enumerate(labels)]


async def refused(api: CloudAPI, payload: dict) -> int:
    with pytest.raises(CloudAPIError) as caught:
        await api.send(payload)
    return caught.value.code


async def test_a_text_inside_the_window_is_taken_with_a_message_id(api, meta):
    sent = await api.send(messages.text(SITI, "Sugeng enjing"))
    assert sent.message_id.startswith("wamid.")
    assert meta.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": SITI,
            "type": "text",
            "text": {"body": "Sugeng enjing", "preview_url": False},
        }
    ]


async def test_text_length_both_edges(api, meta, clock):
    await api.send(messages.text(SITI, "x" * cloud_api.TEXT_MAX))
    clock.advance(timedelta(seconds=6))
    assert await refused(api, messages.text(SITI, "x" * (cloud_api.TEXT_MAX + 1))) == 131009
    assert len(meta.sent) == 1


async def test_three_short_choices_are_reply_buttons_a_fourth_makes_a_list(api, meta, clock):
    await api.send(messages.screen(SITI, "Pilih", choices("Ya", "Tidak", "Menu")))
    assert meta.sent[-1]["interactive"]["type"] == "button"
    assert [b["reply"]["title"] for b in meta.sent[-1]["interactive"]["action"]["buttons"]] == [
        "Ya",
        "Tidak",
        "Menu",
    ]
    clock.advance(timedelta(seconds=6))
    await api.send(
        messages.screen(SITI, "Pilih", choices("A", "B", "C", "D"), open_label="Pilihan")
    )
    listed = meta.sent[-1]["interactive"]
    assert listed["type"] == "list"
    assert listed["action"]["button"] == "Pilihan"
    assert [r["title"] for r in listed["action"]["sections"][0]["rows"]] == ["A", "B", "C", "D"]


async def test_meta_refuses_a_fourth_button_and_a_21_character_title(api, meta, clock):
    four = {
        "type": "button",
        "body": {"text": "Pilih"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": f"b{i}", "title": f"T{i}"}} for i in range(4)
            ]
        },
    }
    assert await refused(api, messages.message(SITI, "interactive", four)) == 131009
    title_20 = messages.interactive("Pilih", lay_out(choices("x" * 20), WHATSAPP))
    await api.send(messages.message(SITI, "interactive", title_20))
    clock.advance(timedelta(seconds=6))
    title_21 = {
        "type": "button",
        "body": {"text": "Pilih"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "b", "title": "x" * 21}}]},
    }
    assert await refused(api, messages.message(SITI, "interactive", title_21)) == 131009
    assert len(meta.sent) == 1


async def test_a_long_label_becomes_a_list_row_within_24_characters(api, meta):
    label = "Bagaimana cara memeriksa agensi yang resmi?"  # 43 characters
    await api.send(messages.screen(SITI, "Tanya", choices(label), open_label="Buka"))
    [row] = meta.sent[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert len(row["title"]) == 24
    assert row["title"].endswith("…")
    assert row["description"] == label


async def test_eleven_choices_are_paged_ten_rows_at_most(api, meta, clock):
    many = choices(*(f"Desa {i}" for i in range(11)))
    await api.send(messages.screen(SITI, "Desa", many, open_label="Pilih", more="Lagi ▸"))
    rows = meta.sent[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert rows[-1] == {"id": f"{PAGE_PREFIX}1", "title": "Lagi ▸"}
    clock.advance(timedelta(seconds=6))
    eleven = {
        "type": "list",
        "body": {"text": "Desa"},
        "action": {
            "button": "Pilih",
            "sections": [{"rows": [{"id": f"r{i}", "title": f"Desa {i}"} for i in range(11)]}],
        },
    }
    assert await refused(api, messages.message(SITI, "interactive", eleven)) == 131009


async def test_links_go_into_the_text(api, meta):
    await api.send(
        messages.screen(SITI, "Info", [Choice("x", "BP2MI", url="https://bp2mi.go.id")])
    )
    assert meta.sent[-1]["text"]["body"] == "Info\nBP2MI: https://bp2mi.go.id"


async def test_the_24_hour_window_both_edges(api, meta, clock):
    clock.advance(cloud_api.SERVICE_WINDOW - timedelta(seconds=1))
    await api.send(messages.text(SITI, "masih di dalam jendela"))
    clock.advance(timedelta(seconds=1))  # exactly 24 hours after the person wrote
    assert await refused(api, messages.text(SITI, "di luar jendela")) == 131047
    clock.advance(timedelta(seconds=5))  # six seconds after the last message to her
    await api.send(messages.template(SITI, "pengingat_persiapan", "id", ["paspor"]))
    assert [m["type"] for m in meta.sent] == ["text", "template"]


async def test_someone_who_never_wrote_gets_templates_only(api, meta):
    stranger = "6289876543210"
    assert await refused(api, messages.text(stranger, "Halo")) == 131047
    await api.send(messages.template(stranger, "pengingat_persiapan", "en", ["passport"]))
    assert meta.sent[-1]["template"] == {
        "name": "pengingat_persiapan",
        "language": {"code": "en"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "passport"}]}],
    }


async def test_a_template_must_exist_be_approved_and_get_its_parameters(api, meta, clock):
    assert await refused(api, messages.template(SITI, "tidak_ada", "id")) == 132001
    assert await refused(api, messages.template(SITI, "pengingat_persiapan", "jv", ["x"])) == (
        132001  # Javanese is not a template language
    )
    assert await refused(api, messages.template(SITI, "kabar_permohonan", "id", ["x"])) == 132001
    assert await refused(api, messages.template(SITI, "pengingat_persiapan", "id")) == 132000
    assert meta.sent == []


async def test_one_message_per_six_seconds_to_one_person(api, meta, clock):
    await api.send(messages.text(SITI, "satu"))
    clock.advance(timedelta(seconds=6) - timedelta(milliseconds=1))
    assert await refused(api, messages.text(SITI, "dua")) == 131056
    clock.advance(timedelta(milliseconds=1))
    await api.send(messages.text(SITI, "dua"))
    assert len(meta.sent) == 2


async def test_the_numbers_throughput_is_80_a_second(api, meta, clock):
    people = [f"62812000{i:05d}" for i in range(81)]
    for number in people:
        meta.inbound(number)
    for number in people[:80]:
        await api.send(messages.text(number, "Pengumuman"))
    assert await refused(api, messages.text(people[80], "Pengumuman")) == 130429
    clock.advance(timedelta(seconds=1))
    await api.send(messages.text(people[80], "Pengumuman"))
    assert len(meta.sent) == 81


async def test_faults_as_the_outbox_will_meet_them(api, meta):
    meta.fail_next("throughput")
    meta.fail_next("undeliverable")
    meta.fail_next("server")
    meta.fail_next("timeout")
    assert await refused(api, messages.text(SITI, "a")) == 130429
    assert await refused(api, messages.text(SITI, "a")) == 131026
    with pytest.raises(CloudAPIError) as caught:
        await api.send(messages.text(SITI, "a"))
    assert (caught.value.code, caught.value.status) == (502, 502)  # no JSON: the status
    with pytest.raises(httpx.ReadTimeout):
        await api.send(messages.text(SITI, "a"))
    await api.send(messages.text(SITI, "a"))
    assert len(meta.sent) == 1


async def test_a_wrong_token_or_number_is_refused(meta):
    for token, number, code in (("wrong", meta.phone_number_id, 190), (meta.token, "999", 100)):
        client = CloudAPI(
            token=token,
            phone_number_id=number,
            base_url="https://graph.example/v21",
            transport=meta,
        )
        with pytest.raises(CloudAPIError) as caught:
            await client.send(messages.text(SITI, "Halo"))
        await client.aclose()
        assert caught.value.code == code
    assert meta.sent == []
