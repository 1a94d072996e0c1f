"""The village list (bot/content/villages.py and the shipped villages.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.villages import VILLAGES_FILE, Area, Villages, load_villages

SHIPPED_VILLAGES = ["tanggulangin", "jogosimo", "kalibangkang", "candirenggo"]

VALID = """\
version: 1
kabupaten:
  - id: kebumen
    name: Kebumen
    province: Jawa Tengah
    source: "a news article"
villages:
  - id: jogosimo
    name: Jogosimo
    kecamatan: Klirong
    kabupaten: kebumen
    source: "a news article"
  - id: kalibangkang
    name: Kalibangkang
    kecamatan: Ayah
    kabupaten: kebumen
    source: "a thesis"
"""


@pytest.fixture(scope="module")
def villages() -> Villages:
    return load_villages()


def write(tmp_path: Path, text: str, name: str = "villages.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def content_error(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_villages(path)
    return str(caught.value)


class TestShippedFile:
    def test_villages_and_kabupaten(self, villages: Villages) -> None:
        assert list(villages.villages) == SHIPPED_VILLAGES
        assert list(villages.kabupaten) == ["kebumen"]
        assert villages.area_ids == ["kebumen", *SHIPPED_VILLAGES]

    def test_every_village_is_in_kebumen_and_has_a_source(self, villages: Villages) -> None:
        for village in villages.villages.values():
            assert village.kabupaten == "kebumen"
            assert len(village.source) >= 3
        assert villages.kabupaten["kebumen"].province == "Jawa Tengah"

    def test_village_lookup(self, villages: Villages) -> None:
        village = villages.village("jogosimo")
        assert village is not None
        assert (village.name, village.kecamatan) == ("Jogosimo", "Klirong")
        assert villages.village("nope") is None
        assert villages.village(None) is None
        assert villages.village("") is None

    def test_kabupaten_area_covers_all_its_villages(self, villages: Villages) -> None:
        assert villages.area("kebumen") == Area(
            "kebumen", "kabupaten", frozenset(SHIPPED_VILLAGES)
        )

    def test_village_area_covers_that_village(self, villages: Villages) -> None:
        assert villages.area("jogosimo") == Area("jogosimo", "village", frozenset({"jogosimo"}))

    def test_unknown_area(self, villages: Villages) -> None:
        assert villages.area("nope") is None

    @pytest.mark.parametrize(
        ("area_id", "name"),
        [
            ("jogosimo", "Jogosimo (Klirong, Kebumen)"),
            ("kalibangkang", "Kalibangkang (Ayah, Kebumen)"),
            ("kebumen", "Kabupaten Kebumen"),
            ("nope", "nope"),  # an area that left the file still shows its id
        ],
    )
    def test_area_name(self, villages: Villages, area_id: str, name: str) -> None:
        assert villages.area_name(area_id) == name

    def test_default_path_is_the_packaged_file(self) -> None:
        assert VILLAGES_FILE.name == "villages.yaml"
        assert VILLAGES_FILE.is_file()


class TestInvalidFiles:
    def test_a_valid_custom_file_loads(self, tmp_path: Path) -> None:
        villages = load_villages(write(tmp_path, VALID))
        assert list(villages.villages) == ["jogosimo", "kalibangkang"]

    def test_duplicate_id_across_kabupaten_and_villages(self, tmp_path: Path) -> None:
        path = write(tmp_path, VALID.replace("id: kalibangkang", "id: kebumen"), "dup.yaml")
        message = content_error(path)
        assert message.startswith("Content error in dup.yaml")
        assert "duplicate id 'kebumen'" in message

    def test_duplicate_village_id(self, tmp_path: Path) -> None:
        path = write(tmp_path, VALID.replace("id: kalibangkang", "id: jogosimo"))
        assert "duplicate id 'jogosimo'" in content_error(path)

    def test_slug_with_uppercase(self, tmp_path: Path) -> None:
        path = write(tmp_path, VALID.replace("id: kalibangkang", "id: Kalibangkang"), "slug.yaml")
        message = content_error(path)
        assert message.startswith("Content error in slug.yaml at villages.1.id: ")
        assert "should match pattern" in message

    @pytest.mark.parametrize("slug", ["x", "1desa", "desa_baru", "desa baru"])
    def test_other_bad_slugs(self, tmp_path: Path, slug: str) -> None:
        path = write(tmp_path, VALID.replace("id: kebumen", f"id: '{slug}'", 1))
        assert content_error(path).startswith("Content error in villages.yaml at kabupaten.0.id: ")

    def test_unknown_kabupaten_reference(self, tmp_path: Path) -> None:
        text = VALID.replace(
            "kecamatan: Ayah\n    kabupaten: kebumen", "kecamatan: Ayah\n    kabupaten: cilacap"
        )
        message = content_error(write(tmp_path, text, "kab.yaml"))
        assert message.startswith("Content error in kab.yaml")
        assert "village 'kalibangkang': unknown kabupaten 'cilacap'" in message

    def test_missing_source(self, tmp_path: Path) -> None:
        text = VALID.replace('    source: "a thesis"\n', "")
        message = content_error(write(tmp_path, text, "src.yaml"))
        assert message == "Content error in src.yaml at villages.1.source: Field required"

    def test_too_short_source(self, tmp_path: Path) -> None:
        text = VALID.replace('source: "a thesis"', 'source: "x"')
        assert "at villages.1.source: " in content_error(write(tmp_path, text))

    def test_unknown_field(self, tmp_path: Path) -> None:
        text = VALID.replace("province: Jawa Tengah", "province: Jawa Tengah\n    colour: red")
        message = content_error(write(tmp_path, text))
        assert message.startswith("Content error in villages.yaml at kabupaten.0.colour: ")

    def test_wrong_version(self, tmp_path: Path) -> None:
        message = content_error(write(tmp_path, VALID.replace("version: 1", "version: 2")))
        assert message.startswith("Content error in villages.yaml at version: ")

    def test_empty_village_list(self, tmp_path: Path) -> None:
        text = VALID.split("villages:")[0] + "villages: []\n"
        assert content_error(write(tmp_path, text)).startswith(
            "Content error in villages.yaml at villages: "
        )

    def test_malformed_yaml(self, tmp_path: Path) -> None:
        message = content_error(write(tmp_path, "version: 1\nkabupaten: [\n", "broken.yaml"))
        assert message.startswith("Content error in broken.yaml (line ")
        assert "line 3" in message

    def test_empty_file(self, tmp_path: Path) -> None:
        message = content_error(write(tmp_path, "", "empty.yaml"))
        assert message.startswith("Content error in empty.yaml at file: ")

    def test_missing_file(self, tmp_path: Path) -> None:
        message = content_error(tmp_path / "absent.yaml")
        assert message.startswith("Content error in absent.yaml: ")
        assert "No such file" in message

    def test_content_error_exits(self) -> None:
        assert issubclass(ContentError, SystemExit)

    def test_cross_item_errors_have_no_pydantic_prefix(self, tmp_path: Path) -> None:
        path = write(tmp_path, VALID.replace("id: kalibangkang", "id: kebumen"))
        assert "Value error" not in content_error(path)
