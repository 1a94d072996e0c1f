"""The WhatsApp channel (issue 17), built on Meta's Cloud API with a thin httpx client.

Why not pywa: what the bot needs of the Cloud API is a handful of JSON payloads, one
endpoint and Meta's error codes. A thin client keeps every payload in sight of the
strict emulator (:mod:`bot.channels.whatsapp.emulator`) that tests it, and keeps the
adapter out of a single-maintainer library's fast major releases."""
