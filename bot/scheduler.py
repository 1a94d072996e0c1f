"""Scheduled work: rows with a due time, claimed by one repeating sweep.

Features register a *sweep task* (an async function taking the application and returning
how many items it handled). One JobQueue job runs them all every few seconds; the
simulator's ``:advance`` and the tests run them at once with :func:`run_due`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.context import services_of
from bot.logs import log_failure

log = logging.getLogger("desmigratif.scheduler")

SweepTask = Callable[[Application[Any, Any, Any, Any, Any, Any]], Awaitable[int]]
SWEEP_SECONDS = 1.0


async def run_due(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Run every registered sweep task once; return how many items they handled."""
    handled = 0
    for task in services_of(application).sweeps:
        try:
            handled += await task(application)
        except Exception as exc:
            # One failing task must not stop the others; the next sweep tries again.
            log_failure(log, "sweep task failed", exc, task=getattr(task, "__name__", "-"))
    return handled


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


def schedule_sweep(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start the repeating sweep when there is anything to sweep."""
    if services_of(application).sweeps and application.job_queue is not None:
        # One sweep at a time; a long one (a big announcement) makes the next ticks wait,
        # which APScheduler reports as "skipped" warnings, so those are turned down.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        application.job_queue.run_repeating(
            _sweep_job,
            interval=SWEEP_SECONDS,
            first=1.0,
            name="sweep",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
