"""What an officer sees of an announcement: one progress message edited in place while it
runs, and a report at the end (also shown by ``/pengumuman``)."""

from __future__ import annotations

import logging
from logging import WARNING

from sqlalchemy import update

from bot.announcement_text import counts_line, report_text
from bot.context import Services
from bot.delivery.channel import Channel, ChannelError, Unchanged
from bot.i18n import Translator
from bot.logs import log_failure
from bot.services import announcements
from storage.models import Announcement
from storage.repositories import deliveries, people, users

log = logging.getLogger("desmigratif.announcements")


async def _officer_translator(services: Services, announcement: Announcement) -> Translator:
    locale = None
    if announcement.officer_id is not None:
        async with services.sessions() as session:
            officer = await users.get(session, announcement.officer_id)
            locale = officer.locale if officer else None
    return services.i18n.translator(locale)


async def open_progress(channel: Channel, services: Services, announcement_id: int) -> None:
    """Send the progress message of an announcement that just started, then remember it
    (commit, then talk: the message's id is stored in a short transaction after)."""
    async with services.sessions() as session:
        announcement = await announcements.get(session, announcement_id)
        officer = announcement.officer_id if announcement is not None else None
        where = (await people.addresses(session, [officer])).get(officer) if officer else None
    if announcement is None or where is None or where[0] != channel.name:
        return  # no officer to show it to (erased), or not on this channel
    chat_id = int(where[1])
    _ = await _officer_translator(services, announcement)
    try:
        message_id = await channel.send_text(chat_id, _progress_text(_, announcement, {}))
    except ChannelError as exc:
        log_failure(log, "cannot show progress", exc, announcement=announcement_id, level=WARNING)
        return
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id)
            .values(progress_chat_id=chat_id, progress_message_id=message_id)
        )


def _progress_text(_: Translator, announcement: Announcement, counts: dict[str, int]) -> str:
    return (
        _("📢 Announcement #{id} is being sent…", id=announcement.id)
        + "\n"
        + counts_line(_, announcement.total, counts)
    )


async def show_progress(channel: Channel, services: Services, announcement_id: int) -> None:
    async with services.sessions() as session:
        announcement = await announcements.get(session, announcement_id)
        if announcement is None or announcement.progress_message_id is None:
            return
        counts = await deliveries.counts(session, announcement_id)
    _ = await _officer_translator(services, announcement)
    await _edit(channel, announcement, _progress_text(_, announcement, counts))


async def close_if_done(channel: Channel, services: Services, announcement_id: int) -> None:
    """When nothing is left to send: mark it done, finalise the progress, send the report."""
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        if not await announcements.mark_done(session, announcement_id, now):
            return
        announcement = await announcements.get(session, announcement_id)
        assert announcement is not None
        counts = await deliveries.counts(session, announcement_id)
        reasons = await deliveries.errors(session, announcement_id)
    _ = await _officer_translator(services, announcement)
    await _edit(channel, announcement, counts_line(_, announcement.total, counts))
    if announcement.progress_chat_id is not None:
        try:
            await channel.send_text(
                announcement.progress_chat_id, report_text(_, announcement, counts, reasons)
            )
        except ChannelError as exc:
            log_failure(
                log, "cannot send the report", exc, announcement=announcement_id, level=WARNING
            )


async def _edit(channel: Channel, announcement: Announcement, text: str) -> None:
    if announcement.progress_chat_id is None or announcement.progress_message_id is None:
        return
    try:
        await channel.edit_text(
            announcement.progress_chat_id, announcement.progress_message_id, text
        )
    except Unchanged:
        return
    except ChannelError as exc:
        log_failure(
            log, "cannot update progress", exc, announcement=announcement.id, level=WARNING
        )
