"""Channel-free services: they take values and a session and change state.

The caller owns the unit of work and commits it: the per-update wrapper
(:func:`handlers.common.user_update`), a sweep job, or the command line.

Nothing here imports ``telegram``, so a second channel (WhatsApp) can reuse them.
"""
