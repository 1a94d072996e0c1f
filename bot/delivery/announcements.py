"""Rendering an announcement's rows for their recipients."""

from __future__ import annotations

from sqlalchemy import select

from bot.announcement_text import framed
from bot.context import Services
from bot.delivery.outgoing import Outgoing
from bot.services.profiles import CONSENT_GIVEN
from storage.models import Announcement, User


async def render_announcements(services: Services, items: list[Outgoing]) -> None:
    """Each recipient gets the announcement in their current language, else Indonesian,
    framed by who sent it and how to stop announcements (:mod:`bot.announcement_text`)."""
    person_ids = {item.person_id for item in items if item.person_id is not None}
    announcement_ids = {item.announcement_id for item in items}
    async with services.sessions() as session:
        people = {
            row.person_id: row
            for row in (
                await session.execute(
                    select(
                        User.person_id, User.locale, User.consent, User.announcements_off
                    ).where(User.person_id.in_(person_ids))
                )
            ).all()
        }
        texts = {
            row.id: row
            for row in (
                await session.execute(
                    select(
                        Announcement.id,
                        Announcement.texts,
                        Announcement.photo,
                        Announcement.status,
                        Announcement.area_id,
                    ).where(Announcement.id.in_(announcement_ids))
                )
            ).all()
        }
    for item in items:
        person = people.get(item.person_id or 0)
        announcement = texts.get(item.announcement_id)
        if item.skip_reason is not None:
            continue
        if announcement is None or announcement.status in ("stopped", "cancelled"):
            item.skip_reason = "stopped"
        elif person is None or person.consent != CONSENT_GIVEN:
            item.skip_reason = "no consent"
        elif person.announcements_off:
            item.skip_reason = "opted out"
        else:
            text = announcement.texts.get(person.locale) or announcement.texts["id"]
            _ = services.i18n.translator(person.locale)
            item.text = framed(_, services, announcement.area_id, text)
            item.photo = announcement.photo
