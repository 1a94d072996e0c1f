"""The ``desmigratif`` command line.

desmigratif chat [--channel telegram] [--as ID] [--lang CODE] [--script FILE]
                                                           local chat on the emulator
desmigratif run                                            real Telegram (long polling)
desmigratif db upgrade                                     apply database migrations
desmigratif officer add ID --area AREA | remove ID | list  manage officer roles
desmigratif deploy nginx|service|backup|env [--domain ...]  print a server's files
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

# python-telegram-bot's future default: durations (RetryAfter.retry_after …) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot import logs
from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.services.officers import Handover


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desmigratif", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="talk to the bot locally (emulated Telegram)")
    chat.add_argument(
        "--channel",
        choices=["telegram"],  # WhatsApp joins with its adapter and emulator
        default="telegram",
        help="the channel to show the conversation as",
    )
    chat.add_argument("--as", dest="user_id", type=int, default=100001, help="your Telegram id")
    chat.add_argument("--lang", default="id", help="the language_code Telegram would send")
    chat.add_argument(
        "--script",
        type=argparse.FileType("r", encoding="utf-8"),
        help="replay a script non-interactively and print the transcript",
    )

    run = commands.add_parser("run", help="run against real Telegram (long polling)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take updates on WEBHOOK_URL (needs WEBHOOK_SECRET) instead of long polling",
    )

    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])

    officer = commands.add_parser("officer", help="grant, remove or list officer roles")
    actions = officer.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a Telegram user an officer for an area")
    add.add_argument("telegram_id", type=int)
    add.add_argument("--area", required=True, help="a village or kabupaten id, e.g. kebumen")
    remove = actions.add_parser("remove", help="take the officer role away")
    remove.add_argument("telegram_id", type=int)
    actions.add_parser("list", help="list officers and their areas")

    cases = commands.add_parser("cases", help="help-request cases")
    case_actions = cases.add_subparsers(dest="action", required=True)
    export = case_actions.add_parser("export", help="export cases for reporting")
    export.add_argument("--area", help="a village or kabupaten id (default: all)")
    export.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument(
        "--with-personal-data",
        action="store_true",
        help="include names, contacts and descriptions (handle with care)",
    )

    whatsapp = commands.add_parser("whatsapp", help="WhatsApp channel tools")
    whatsapp.add_argument(
        "what",
        choices=["templates"],
        help="templates: print the message templates as JSON for WhatsApp Manager",
    )

    deploy = commands.add_parser("deploy", help="print the nginx site, systemd units or env")
    deploy.add_argument("what", choices=["nginx", "service", "backup", "env"])
    deploy.add_argument("--domain", default="bot.example.org", help="the public host name")
    deploy.add_argument("--path", default="/telegram", help="WEBHOOK_URL's path")
    deploy.add_argument(
        "--ports",
        default="8081,8082",
        help="the bot processes' LISTEN ports, comma-separated (default: 8081,8082)",
    )
    deploy.add_argument("--https-port", type=int, default=443)
    deploy.add_argument("--certificate", help="default: Let's Encrypt's fullchain.pem")
    deploy.add_argument("--key", help="default: Let's Encrypt's privkey.pem")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "deploy":  # needs no settings: it prints files for another machine
        return _deploy(parser, args)
    if args.command == "whatsapp":  # the templates to submit: no settings either
        from bot.content.whatsapp_templates import load_templates

        print(json.dumps(load_templates().for_manager(), ensure_ascii=False, indent=2))
        return 0
    settings = load_settings()
    # No people's data, message text or token in any line (see bot.logs).
    logs.setup(logging.WARNING if args.command == "chat" else logging.INFO, settings.log_format)
    if args.command == "chat":
        from bot.simulator import chat

        failures = asyncio.run(
            chat(settings, user_id=args.user_id, language_code=args.lang, script=args.script)
        )
        if failures:
            print(f"{failures} script step(s) failed", file=sys.stderr)
        return 1 if failures else 0
    if args.command == "run":
        return _run(settings, webhook=args.webhook)
    if args.command == "db":
        return asyncio.run(_db_upgrade(settings))
    if args.command == "cases":
        return asyncio.run(_export_cases(settings, args))
    return asyncio.run(_officer(settings, args))


def _deploy(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from bot.deploy import Site, printed

    try:
        ports = tuple(int(port) for port in args.ports.split(","))
    except ValueError:
        parser.error(f"--ports: comma-separated port numbers, not {args.ports!r}")
    if not args.path.startswith("/"):
        parser.error("--path must start with /")
    site = Site(
        domain=args.domain,
        path=args.path,
        ports=ports,
        https_port=args.https_port,
        certificate=args.certificate,
        key=args.key,
    )
    sys.stdout.write(printed(args.what, site))
    return 0


def _run(settings: Settings, *, webhook: bool = False) -> int:
    if settings.telegram_bot_token is None:
        print(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the "
            "environment or .env. To try the bot without Telegram, run `desmigratif chat`.",
            file=sys.stderr,
        )
        return 2
    if webhook and (settings.webhook_url is None or settings.webhook_secret is None):
        print(
            "--webhook needs WEBHOOK_URL (the public https address Telegram posts to) and "
            "WEBHOOK_SECRET (1-256 characters of A-Z a-z 0-9 _ -).",
            file=sys.stderr,
        )
        return 2
    if webhook and settings.listen == "off":
        print("--webhook needs LISTEN (host:port the webhook is served on).", file=sys.stderr)
        return 2
    from telegram.error import InvalidToken

    from bot.app import build_application
    from bot.runner import serve

    try:
        asyncio.run(serve(build_application(settings), webhook=webhook))
    except InvalidToken:
        # PTB's message quotes the token: one line without it, and no traceback.
        print(
            "Telegram refused TELEGRAM_BOT_TOKEN (not shown here): check the token "
            "@BotFather gave you, or ask it for a new one.",
            file=sys.stderr,
        )
        return 2
    return 0


async def _db_upgrade(settings: Settings) -> int:
    from storage.db import create_engine
    from storage.migrations import upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


async def _officer(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.content import load_villages
    from bot.content.help import load_help
    from bot.services import officers
    from storage.db import create_engine, create_sessionmaker
    from storage.migrations import upgrade
    from storage.repositories import people

    villages = load_villages()
    now = SystemClock().now()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            admins = await people.telegram_people(session, settings.admin_ids, now=now)
            routing = officers.Routing(
                villages, frozenset(admins), settings.officer_groups, load_help().deadlines
            )
            if args.action == "add":
                person = await people.telegram(session, args.telegram_id, now=now)
                try:
                    officer, handover = await officers.grant(
                        session, routing, person, args.area, granted_by=None, now=now
                    )
                except officers.UnknownArea as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                print(
                    f"{args.telegram_id} is an officer for {villages.area_name(officer.area_id)}"
                )
                _print_handover(handover)
            elif args.action == "remove":
                found = await people.find(session, people.TELEGRAM, str(args.telegram_id))
                removed = None
                if found is not None:
                    removed = await officers.revoke(session, routing, found, now=now)
                if removed is None:
                    print(f"{args.telegram_id} was not an officer", file=sys.stderr)
                    return 1
                print(f"{args.telegram_id} is no longer an officer")
                _print_handover(removed)
            else:
                listing = await officers.listing(session)
                known = await people.telegram_ids(session, [o.person_id for o in listing])
                for officer in listing:
                    area = villages.area_name(officer.area_id)
                    print(f"{known.get(officer.person_id, '–')}\t{officer.area_id}\t{area}")
                if not listing:
                    print("no officers")
    finally:
        await engine.dispose()
    return 0


def _print_handover(handover: Handover) -> None:
    """What the change handed back (the admins are also told on Telegram)."""
    if handover.cases:
        ids = ", ".join(str(i) for i in handover.cases)
        print(f"open cases back in their area's queue: {ids}")
    if handover.announcements:
        ids = ", ".join(str(i) for i in handover.announcements)
        print(f"scheduled announcements cancelled: {ids}")


async def _export_cases(settings: Settings, args: argparse.Namespace) -> int:
    import csv
    import json
    from datetime import date, datetime, time, timedelta

    from bot.content import load_villages
    from bot.services import help_requests
    from storage.db import create_engine, create_sessionmaker
    from storage.migrations import upgrade

    villages = load_villages()
    scope = None
    if args.area:
        area = villages.area(args.area.strip().lower())
        if area is None:
            print(
                f"error: unknown area {args.area!r}; known: {', '.join(villages.area_ids)}",
                file=sys.stderr,
            )
            return 2
        scope = area.village_ids
    try:
        first, last = date.fromisoformat(args.since), date.fromisoformat(args.until)
    except ValueError:
        print("error: --from and --to take dates like 2026-12-31", file=sys.stderr)
        return 2
    tz = settings.tz
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            rows = await help_requests.export_rows(
                session,
                scope=scope,
                since=since,
                until=until,
                personal=args.with_personal_data,
            )
    finally:
        await engine.dispose()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        columns = list(help_requests.PUBLIC_COLUMNS)
        if args.with_personal_data:
            columns += list(help_requests.PERSONAL_COLUMNS)
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(spreadsheet_safe(row) for row in rows)
    return 0


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row: dict[str, object]) -> dict[str, object]:
    """A CSV row a spreadsheet will not run: a text a requester typed that starts like a
    formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
    leading ``'``, as OWASP advises against CSV injection. Numbers (ids) are left alone."""
    return {
        key: f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value
        for key, value in row.items()
    }


if __name__ == "__main__":
    raise SystemExit(main())
