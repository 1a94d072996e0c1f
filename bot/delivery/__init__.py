"""The outbox: everything the bot sends on its own, not in answer to a message.

Rows in ``deliveries`` name a kind, a recipient and a due time; the engine
(:mod:`bot.delivery.engine`) claims due rows, has each kind's renderer
(:mod:`bot.delivery.kinds`) turn them into messages in the recipient's language at that
moment, and sends them paced (:mod:`bot.delivery.pacer`), recording each outcome
(:mod:`bot.delivery.marks`). What an officer sees of an announcement's progress is in
:mod:`bot.delivery.report`.
"""
