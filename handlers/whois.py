"""How officers and admins see a person: by the id they know them by on their channel
(a Telegram user id), never by the internal person id, which means nothing outside."""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation import Turn
from storage.repositories import people

UNKNOWN = "–"


async def addresses(context: Turn, person_ids: Iterable[int | None]) -> dict[int, str]:
    """Each person's address on the channel they used last (positive ids only: 0 stands
    for a former officer, negatives for erased people)."""
    wanted = {p for p in person_ids if p is not None and p > 0}
    found = await people.addresses(context.db, wanted)
    return {person: address for person, (_channel, address) in found.items()}


async def address(context: Turn, person_id: int | None) -> str:
    return (await addresses(context, [person_id])).get(person_id or 0, UNKNOWN)
