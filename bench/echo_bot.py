"""The yardstick for bench/latency.py: the least a python-telegram-bot bot can do.

Each message gets one reply carrying one inline button; each press of a button gets its
callback query answered. Updates are handled concurrently, with no rate limiter and no
database, over long polling, so what it measures is the Bot API round trip and PTB.

    TELEGRAM_BOT_TOKEN=123:TEST TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot \\
        python bench/echo_bot.py
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before telegram is imported

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Tekan", callback_data="echo:tap")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replies with the same text and one button."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(message.text or "?", reply_markup=BUTTON)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stops the button's spinner."""
    assert update.callback_query is not None
    await update.callback_query.answer()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    builder = (
        Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).concurrent_updates(True)
    )
    if base_url := os.environ.get("TELEGRAM_API_BASE_URL"):
        builder = builder.base_url(base_url.rstrip("/"))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
