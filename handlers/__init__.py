"""Telegram handlers: parse the update, call a service, render the reply.

:func:`register` adds them all to an application. Order matters: feature handlers first,
then the fallbacks in :mod:`handlers.fallback` that catch whatever no feature took.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers import (
    announce,
    announcements_list,
    checklist,
    checklist_public,
    checklist_setup,
    errors,
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


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
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
    ):
        application.add_handlers(module.HANDLERS)
    application.add_error_handler(errors.on_error)
