"""The command menu Telegram shows, registered per language with ``setMyCommands``."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import N_, I18n

# Command names stay Indonesian in every language: they are typed, and posters use them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or restart")),
    ("menu", N_("Main menu")),
    ("persiapan", N_("Departure checklist")),
    ("pengingat", N_("Reminders: what is planned, on or off")),
    ("kuis", N_("Quiz: warning signs of trafficking")),
    ("cekkerja", N_("Check a job offer")),
    ("tolong", N_("Ask the village officers for help")),
    ("status", N_("Your help requests and their status")),
    ("bahasa", N_("Change the language")),
    ("profil", N_("See and edit your profile")),
    ("dataku", N_("See all data kept about you")),
    ("hapusdata", N_("Erase all your data")),
    ("batal", N_("Stop what you are doing now")),
    ("berhenti", N_("Stop receiving announcements")),
    ("mulai", N_("Receive announcements again")),
    ("istilah", N_("Words and abbreviations explained")),
    ("bantuan", N_("Help: what this bot does")),
)


def commands_for(i18n: I18n, locale: str) -> list[BotCommand]:
    _ = i18n.translator(locale)
    return [BotCommand(name, _(description)) for name, description in COMMANDS]


async def register_commands(bot: Bot, i18n: I18n) -> None:
    """The default list is in the default locale; each language gets its own too."""
    await bot.set_my_commands(commands_for(i18n, i18n.default_locale))
    for locale in i18n.all():
        await bot.set_my_commands(commands_for(i18n, locale), language_code=locale)
