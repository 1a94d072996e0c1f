"""The Telegram adapter: updates in as events (:mod:`.events`, :mod:`.dispatch`), recorded
replies out as Bot API calls (:mod:`.sending`, :mod:`.markup`), the outbox's channel
(:mod:`.outbox`), and what is Telegram's own: the command menu (:mod:`.commands`), the
rate limit, the error handler, the checked request, and the Bot API emulator."""
