"""Content as data: YAML files validated against a schema when the bot starts.

Bad content stops the bot with a message naming the file and the item
(:class:`ContentError`).
"""

from __future__ import annotations

from bot.content.errors import ContentError
from bot.content.villages import Area, Kabupaten, Village, Villages, load_villages

__all__ = ["Area", "ContentError", "Kabupaten", "Village", "Villages", "load_villages"]
