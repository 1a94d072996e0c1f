"""Villages and kabupaten (``villages.yaml``): where users live and what officers cover."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.content.errors import ContentError
from bot.content.loading import read_yaml

SLUG = r"^[a-z][a-z0-9-]{1,40}$"
VILLAGES_FILE = Path(__file__).with_name("villages.yaml")


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=60)
    source: str = Field(min_length=3)


class Kabupaten(_Item):
    province: str


class Village(_Item):
    kecamatan: str
    kabupaten: str


class _VillagesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1]
    kabupaten: list[Kabupaten] = Field(min_length=1)
    villages: list[Village] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_and_references(self) -> _VillagesFile:
        seen: set[str] = set()
        for item in [*self.kabupaten, *self.villages]:
            if item.id in seen:
                raise ValueError(f"duplicate id {item.id!r} (ids are unique across both lists)")
            seen.add(item.id)
        known = {k.id for k in self.kabupaten}
        for village in self.villages:
            if village.kabupaten not in known:
                raise ValueError(
                    f"village {village.id!r}: unknown kabupaten {village.kabupaten!r}"
                )
        return self


@dataclass(frozen=True)
class Area:
    """What an officer covers: one village, or every village of a kabupaten."""

    id: str
    kind: Literal["village", "kabupaten"]
    village_ids: frozenset[str]


class Villages:
    """The validated village list with look-ups by id."""

    def __init__(self, kabupaten: list[Kabupaten], villages: list[Village]) -> None:
        self.kabupaten = {k.id: k for k in kabupaten}
        self.villages = {v.id: v for v in villages}

    def village(self, village_id: str | None) -> Village | None:
        return self.villages.get(village_id) if village_id else None

    def area(self, area_id: str) -> Area | None:
        if area_id in self.villages:
            return Area(area_id, "village", frozenset({area_id}))
        if area_id in self.kabupaten:
            ids = frozenset(v.id for v in self.villages.values() if v.kabupaten == area_id)
            return Area(area_id, "kabupaten", ids)
        return None

    def area_name(self, area_id: str) -> str:
        """``Jogosimo (Klirong, Kebumen)`` or ``Kabupaten Kebumen``: proper nouns, untranslated."""
        if village := self.villages.get(area_id):
            above = self.kabupaten[village.kabupaten]
            return f"{village.name} ({village.kecamatan}, {above.name})"
        if kabupaten := self.kabupaten.get(area_id):
            return f"Kabupaten {kabupaten.name}"
        return area_id

    @property
    def area_ids(self) -> list[str]:
        return [*self.kabupaten, *self.villages]


def load_villages(path: Path = VILLAGES_FILE) -> Villages:
    try:
        raw = read_yaml(path)
        parsed = _VillagesFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ContentError(f"Content error in {path.name}{where}: {first}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "file"
        message = error["msg"].removeprefix("Value error, ")
        raise ContentError(f"Content error in {path.name} at {where}: {message}") from None
    return Villages(parsed.kabupaten, parsed.villages)
