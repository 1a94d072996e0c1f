"""Notices to the admins (``admin_notice`` rows): what an officer change handed back, so
that someone knows which cases went back to a queue and which announcements will not go
out; and the ``unsend`` rows that take an erased requester's details out of officers'
chats. Rendered when due, in the recipient's language at that moment."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.case_text import handover_text, references_of
from bot.context import Services
from bot.delivery.channel import Channel
from bot.delivery.outgoing import Outgoing
from bot.i18n import Translator
from storage.models import User
from storage.repositories import people


async def _translators(
    services: Services, session: AsyncSession, items: list[Outgoing]
) -> dict[int, Translator]:
    """Each row's recipient's language now, by delivery id (the default for someone the
    bot does not know)."""
    person_ids = {item.person_id for item in items if item.person_id is not None}
    rows = await session.execute(
        select(User.person_id, User.locale).where(User.person_id.in_(person_ids))
    )
    locales = dict(rows.all())
    default = services.settings.default_locale
    return {
        item.delivery_id: services.i18n.translator(locales.get(item.person_id or 0, default))
        for item in items
    }


async def render_admin_notices(services: Services, items: list[Outgoing]) -> None:
    async with services.sessions() as session:
        translators = await _translators(services, session, items)
        shown = await people.addresses(
            session, {o for i in items if isinstance(o := (i.payload or {}).get("officer"), int)}
        )
        references = {
            item.delivery_id: await references_of(
                session, [int(i) for i in (item.payload or {}).get("cases", [])]
            )
            for item in items
        }
    for item in items:
        if item.skip_reason is not None:
            continue
        if item.chat_id not in services.settings.admin_ids:
            item.skip_reason = "no longer an admin"
            continue
        payload = item.payload or {}
        _ = translators[item.delivery_id]
        officer = shown.get(int(payload.get("officer") or 0))
        item.text = handover_text(
            _,
            why=str(payload.get("why")),
            officer=officer[1] if officer is not None else None,
            references=references[item.delivery_id],
            announcements=[int(i) for i in payload.get("announcements", [])],
        )


async def render_unsend(services: Services, items: list[Outgoing]) -> None:
    """Remove a notice about a requester who erased their data from an officer's chat:
    deleted while Telegram allows it (48 hours), else its text replaced by a placeholder
    (a bot may edit its own messages at any age; a photo itself stays, see the README)."""
    from bot.services.erasure import DELETE_WITHIN

    now = services.clock.now()
    async with services.sessions() as session:
        translators = await _translators(services, session, items)
    for item in items:
        if item.skip_reason is not None:
            continue
        payload = item.payload or {}
        chat_id, message_id = item.chat_id, int(payload.get("message_id", 0))
        sent_at = payload.get("sent_at")
        if sent_at and now - datetime.fromisoformat(sent_at) < DELETE_WITHIN:
            item.call = functools.partial(_delete, chat_id, message_id)
            continue
        _ = translators[item.delivery_id]
        text = _("🗑 Removed: the person who asked for help erased their data.")
        item.call = functools.partial(
            _blank, chat_id, message_id, text, bool(payload.get("media"))
        )


async def _delete(chat_id: int, message_id: int, channel: Channel) -> None:
    await channel.delete(chat_id, message_id)


async def _blank(chat_id: int, message_id: int, text: str, media: bool, channel: Channel) -> None:
    if media:
        await channel.edit_caption(chat_id, message_id, text)
    else:
        await channel.edit_text(chat_id, message_id, text)
