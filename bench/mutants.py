"""Mutation score of the modules where a bug harms people most (``make mutants``).

mutmut plants small bugs (a ``<`` for a ``<=``, a 7 for an 8, a dropped call) one at a
time and runs the tests that reach the changed function: a mutant the tests do not notice
"survives". Each module is run in a scratch folder of its own (a generated
``pyproject.toml`` naming that module and the tests written for it, beside links to the
code), so one module's run never depends on another's and the suite's own configuration
stays untouched. Not run by CI: it takes minutes per module.

    python bench/mutants.py [--only bot/services/when.py ...] [--max-children 2] [--limit 200]

Prints a table per module, the surviving mutants (``mutmut show <name>`` in the module's
scratch folder shows one), and as its last line one JSON object:
``{"killed": N, "survived": N, "score": 0.xx, "modules": {...}}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "mutants-work"

# The delivery engine's tests (the case-deadline edges finish work rows without a message).
DELIVERY_TESTS = [
    "tests/test_delivery_engine.py",
    "tests/test_delivery.py",
    "tests/test_boundaries_cases.py",
]

# Module → the tests that exercise it (run for each of its mutants, fastest first).
MODULES: dict[str, list[str]] = {
    "bot/services/when.py": ["tests/test_dates.py", "tests/test_boundaries_reminders.py"],
    "bot/services/reminders.py": [
        "tests/test_reminders.py",
        "tests/test_boundaries_reminders.py",
        "tests/test_jv_checklist_reminders.py",
        "tests/test_reminder_planning.py",
    ],
    "bot/content/job_offer.py": [
        "tests/test_job_offer_rules.py",
        "tests/test_boundaries_job_offer.py",
        "tests/test_job_check.py",
    ],
    "bot/services/quiz.py": [
        "tests/test_quiz_scoring.py",
        "tests/test_quiz.py",
        "tests/test_declined.py",
    ],
    "bot/services/case_alerts.py": [
        "tests/test_officer_cases.py",
        "tests/test_boundaries_cases.py",
        "tests/test_unrouted.py",
        "tests/test_case_alerts_routing.py",
    ],
    "bot/services/erasure.py": [
        "tests/test_erasure_rows.py",
        "tests/test_erasure.py",
        "tests/test_dataku.py",
    ],
    "bot/services/profiles.py": [
        "tests/test_consent_nothing_stored.py",
        "tests/test_declined.py",
        "tests/test_onboarding.py",
        "tests/test_profiles_consent.py",
    ],
    "bot/telegram_html.py": [
        "tests/test_telegram_html.py",
        "tests/test_hostile_text.py",
        "tests/test_announce.py",
    ],
    # The conversation core's routing and the Telegram adapter around it.
    "bot/conversation/routes.py": [
        "tests/test_conversation.py",
        "tests/test_bad_input.py",
        "tests/test_navigation.py",
    ],
    "bot/channels/telegram/events.py": [
        "tests/test_conversation.py",
        "tests/test_bad_input.py",
        "tests/test_announce.py",
        "tests/test_case_media.py",
    ],
    "bot/channels/telegram/outbox.py": [*DELIVERY_TESTS, "tests/test_erasure_rows.py"],
    **dict.fromkeys(
        (
            "bot/delivery/engine.py",
            "bot/delivery/pacer.py",
            "bot/delivery/marks.py",
            "bot/delivery/announcements.py",
        ),
        DELIVERY_TESTS,
    ),
}

# How mutmut files each mutant's exit code (mutmut.stats.status_by_exit_code): a mutant
# the tests catch, time out on or the type check refuses is killed; one they pass, or no
# test reaches ("no tests": the module's code is not exercised at all), survives.
KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests", "suspicious"}


def scratch_folder(module: str) -> Path:
    return SCRATCH / module.replace("/", "_").removesuffix(".py")


def scratch_for(module: str, tests: list[str]) -> Path:
    """A folder whose pyproject names ``module`` and its ``tests``; code linked, not
    copied (mutmut copies what it mutates into ``mutants/`` there)."""
    folder = scratch_folder(module)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in ("bot", "handlers", "storage", "tests", "locales"):
        (folder / name).symlink_to(ROOT / name)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    pytest_options = project["tool"]["pytest"]["ini_options"]
    present = [test for test in tests if (ROOT / test).exists()]
    lines = [
        "[tool.pytest.ini_options]",
        *(f"{key} = {json.dumps(value)}" for key, value in pytest_options.items()),
        "",
        "[tool.mutmut]",
        f"source_paths = {json.dumps(['bot/', 'handlers/', 'storage/'])}",
        f"also_copy = {json.dumps(['locales/'])}",
        f"only_mutate = {json.dumps([module])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(present)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]',
    ]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def outcome(folder: Path, module: str) -> dict[str, object]:
    from mutmut.stats import status_by_exit_code

    meta = json.loads((folder / "mutants" / f"{module}.meta").read_text("utf-8"))
    status = {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}
    survivors = sorted(name for name, verdict in status.items() if verdict in SURVIVED)
    killed = sum(verdict in KILLED for verdict in status.values())
    counted = killed + len(survivors)
    return {
        "killed": killed,
        "survived": len(survivors),
        "score": round(killed / counted, 3) if counted else 0.0,
        "survivors": [f"{name} ({status[name]})" for name in survivors],
    }


def time_out_sleepers(limit: float) -> list[str]:
    """Stop the mutants that ran longer than ``limit`` seconds of wall-clock time.

    mutmut's own limit counts CPU seconds, and a mutant that makes the pacer wait for
    hours (``paused_until + now``) sleeps without using any: it would never end. It gets
    SIGXCPU, which mutmut files as "timeout" (killed: the tests would never finish)."""
    listing = subprocess.run(
        ["ps", "-eo", "pid=,etimes=,args="], capture_output=True, text=True, check=False
    ).stdout
    stopped = []
    for line in listing.splitlines():
        pid, seconds, command = line.split(maxsplit=2)
        if command.startswith("mutmut: ") and int(seconds) > limit:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGXCPU)
            stopped.append(command.removeprefix("mutmut: "))
    return stopped


def run(module: str, tests: list[str], max_children: int, limit: float) -> dict[str, object]:
    folder = scratch_for(module, tests)
    env = {**os.environ, "PTB_TIMEDELTA": "true"}
    mutmut = Path(sys.executable).parent / "mutmut"
    started = time.perf_counter()
    with subprocess.Popen(
        [str(mutmut), "run", "--max-children", str(max_children)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as process:
        while process.poll() is None:
            time.sleep(5)
            for name in time_out_sleepers(limit):
                print(f"  timed out after {limit:.0f} s: {name}", file=sys.stderr)
    result = outcome(folder, module)
    result["seconds"] = round(time.perf_counter() - started)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="modules to run (default: all)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--limit",
        type=float,
        default=200.0,
        help="wall-clock seconds a mutant may take (a surviving delivery mutant: ~2 min)",
    )
    parser.add_argument(
        "--report", action="store_true", help="read the last run's results, run nothing"
    )
    args = parser.parse_args()
    chosen = {m: t for m, t in MODULES.items() if not args.only or m in args.only}
    results = {}
    print(f"{'module':34} {'killed':>7} {'survived':>9} {'score':>6} {'time':>6}")
    for module, tests in chosen.items():
        if args.report:
            if not (scratch_folder(module) / "mutants" / f"{module}.meta").exists():
                print(f"{module:34} (not run here yet)")
                continue
            result = outcome(scratch_folder(module), module)
            result["seconds"] = 0
        else:
            result = run(module, tests, args.max_children, args.limit)
        results[module] = result
        print(
            f"{module:34} {result['killed']:>7} {result['survived']:>9} "
            f"{result['score']:>6.0%} {result['seconds']:>5}s",
            flush=True,
        )
    print("\nSurviving mutants (see one: cd mutants-work/<module> && mutmut show <name>):")
    for module, result in results.items():
        for name in result["survivors"]:  # type: ignore[attr-defined]
            print(f"  {module}: {name}")
    killed = sum(int(r["killed"]) for r in results.values())  # type: ignore[call-overload]
    survived = sum(int(r["survived"]) for r in results.values())  # type: ignore[call-overload]
    summary = {
        "killed": killed,
        "survived": survived,
        "score": round(killed / (killed + survived), 3) if killed + survived else 0.0,
        "modules": {
            m: {k: r[k] for k in ("killed", "survived", "score")} for m, r in results.items()
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
