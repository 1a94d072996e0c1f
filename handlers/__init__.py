"""The conversations, channel-neutral: each module is one dialog (or one part of one),
with the routes that reach it (:mod:`bot.conversation.routes`).

:func:`routes` lists them all for a channel adapter. Order matters: feature routes
first, then the fallbacks in :mod:`handlers.fallback` that catch whatever no feature took.
"""

from __future__ import annotations

from bot.conversation.routes import Route
from handlers import (
    announce,
    announcements_list,
    checklist,
    checklist_public,
    checklist_setup,
    fallback,
    glossary,
    help_draft,
    help_request,
    help_status,
    job_check,
    menu,
    my_data,
    officer_cases,
    officer_stats,
    officers,
    onboarding,
    profile,
    quiz,
    reminder_settings,
    subscription,
    village_switch,
)


def routes() -> list[Route]:
    return [
        route
        for module in (
            onboarding,
            menu,
            village_switch,
            profile,
            my_data,
            subscription,
            checklist,
            checklist_public,
            checklist_setup,
            reminder_settings,
            quiz,
            job_check,
            help_request,
            help_draft,
            help_status,
            glossary,
            officer_cases,
            officer_stats,
            officers,
            announce,
            announcements_list,
            fallback,
        )
        for route in module.ROUTES
    ]
