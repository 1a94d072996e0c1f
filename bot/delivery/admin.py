"""Notices to the admins (``admin_notice`` rows): what an officer change handed back, so
that someone knows which cases went back to a queue and which announcements will not go
out; and the ``unsend`` rows that take an erased requester's details out of officers'
chats. Rendered when due, in the recipient's language at that moment."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot.context import Services
from bot.delivery.outgoing import Outgoing
from bot.i18n import Translator
from storage.models import HelpRequest, User


def handover_text(
    _: Translator,
    *,
    why: str,
    officer: int | None,
    references: Sequence[str],
    announcements: Sequence[int],
) -> str:
    """What an officer change handed back, in a few lines."""
    if why == "erased" or officer is None:
        lines = [_("👤 <b>An officer erased their data.</b>")]
    elif why == "moved":
        lines = [_("👤 <b>Officer {id} moved to another area.</b>", id=officer)]
    else:
        lines = [_("👤 <b>Officer {id} is no longer an officer.</b>", id=officer)]
    if references:
        lines.append(
            _.ngettext(
                "{count} open case went back to its area's queue: {references}",
                "{count} open cases went back to their area's queue: {references}",
                len(references),
                count=len(references),
                references=", ".join(references),
            )
        )
    if announcements:
        lines.append(
            _.ngettext(
                "{count} scheduled announcement was cancelled: no. {ids}",
                "{count} scheduled announcements were cancelled: no. {ids}",
                len(announcements),
                count=len(announcements),
                ids=", ".join(str(i) for i in announcements),
            )
        )
    return "\n".join(lines)


async def references_of(session: AsyncSession, case_ids: Sequence[int]) -> list[str]:
    """``DM-2026-000123`` for each id, in the given order (ids of no case are left out)."""
    if not case_ids:
        return []
    found = await session.scalars(select(HelpRequest).where(HelpRequest.id.in_(list(case_ids))))
    by_id = {case.id: case.reference for case in found.all()}
    return [by_id[i] for i in case_ids if i in by_id]


async def _translators(
    services: Services, session: AsyncSession, items: list[Outgoing]
) -> dict[int, Translator]:
    """Each recipient's language now (the default for someone the bot does not know)."""
    chat_ids = {item.chat_id for item in items}
    rows = await session.execute(
        select(User.telegram_id, User.locale).where(User.telegram_id.in_(chat_ids))
    )
    locales = dict(rows.all())
    default = services.settings.default_locale
    return {chat: services.i18n.translator(locales.get(chat, default)) for chat in chat_ids}


async def render_admin_notices(services: Services, items: list[Outgoing]) -> None:
    async with services.sessions() as session:
        translators = await _translators(services, session, items)
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
        _ = translators[item.chat_id]
        officer = payload.get("officer")
        item.text = handover_text(
            _,
            why=str(payload.get("why")),
            officer=int(officer) if officer is not None else None,
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
        _ = translators[chat_id]
        text = _("🗑 Removed: the person who asked for help erased their data.")
        item.call = functools.partial(
            _blank, chat_id, message_id, text, bool(payload.get("media"))
        )


async def _delete(chat_id: int, message_id: int, bot: Bot) -> bool:
    return await bot.delete_message(chat_id, message_id)


async def _blank(chat_id: int, message_id: int, text: str, media: bool, bot: Bot) -> object:
    if media:
        return await bot.edit_message_caption(chat_id, message_id, caption=text)
    return await bot.edit_message_text(text, chat_id, message_id)
