"""Nobody reaches what is not theirs through a forged button or an officer's command
(issue 11), checked from the routes the application really registers.

The walk (:func:`guarded`) reads the router of the real application: every button
pattern and command of the officers' and admins' modules, every pattern with an officer
prefix, and the villagers' own-data patterns. :mod:`tests.forging` fills each pattern with
real ids (a case of another area or another person, an announcement of another officer,
the officers, the actor themselves) and the words the handler's code compares against; each command
gets arguments made the same way. Four people press and send all of it:

- a villager of Jogosimo (registered, consent given, no request of their own);
- an officer of Candirenggo, while the data is in Jogosimo;
- a removed officer (of Jogosimo; held a case, then ``/petugas hapus`` by the admin);
- a moved officer (of Jogosimo; claimed a case and wrote to its requester, resolved
  another, then ``/petugas tambah … candirenggo`` by the admin). Whether the move hands
  the open case back to the queue or not, the resolved one stays theirs: nothing of
  Jogosimo may open to them either way.

Each time: what carries a foreign id (and anything at all from someone who is no officer)
is refused with the localized notice; nothing changes in the database (every table, see
:func:`snapshot` for the two exclusions); no other chat hears of it; and nothing the actor
receives (texts, button labels, toasts) holds another person's data. A handler added later
is covered without editing this file, and one whose pattern the generator cannot fill
fails :func:`test_the_walk_finds_and_can_forge_every_guarded_handler`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text

from bot.channels.telegram.dispatch import router_of
from bot.context import services_of
from bot.services import profiles
from bot.simulator import Person, Reply
from handlers.keyboards import LANGUAGE_NAMES
from storage.db import is_postgresql
from storage.models import Announcement, Base, HelpEvent, HelpRequest, Officer, User
from storage.models import Person as PersonRow
from tests.announcing import announce, officer, villager
from tests.conftest import START
from tests.forging import Forged, Unforgeable, code_words, forge, literal_prefix
from tests.helping import ask_for_help, cases_of
from tests.people import person as known
from tests.people import person_of, row_of
from tests.transcript import first_line, label, tr

VILLAGER, OTHER_AREA, REMOVED, MOVED = "villager", "other area", "removed", "moved"
ACTORS = (VILLAGER, OTHER_AREA, REMOVED, MOVED)
# Officers with an area today may open their own area's screens (their queue, a new
# announcement, statistics): only what carries a foreign id must be refused for them.
HAVE_AN_AREA = frozenset({OTHER_AREA, MOVED})

# Long, distinctive ids, so that finding one in a reply can only be a leak.
FAMILY_J, MIGRANT_J, FAMILY_C = 6100801, 6100802, 6100803  # requesters (Jogosimo ×2, Candirenggo)
VILLAGER_ID = 6100804  # the attacking villager (Jogosimo), who asked for nothing
STAYING, CANDIRENGGO, REMOVED_ID, MOVED_ID = 6200880, 6200881, 6200882, 6200883  # officers
OFFICERS = (STAYING, CANDIRENGGO, REMOVED_ID, MOVED_ID)
PEOPLE_AFTER = 6300000  # the person ids the bot gives them come after it
ADMIN = 900  # settings.admin_ids in tests/conftest.py
LOCALE = {VILLAGER: "jv", OTHER_AREA: "id", REMOVED: "jv", MOVED: "id"}
ACTOR_ID = {VILLAGER: VILLAGER_ID, OTHER_AREA: CANDIRENGGO, REMOVED: REMOVED_ID, MOVED: MOVED_ID}

# What the walk selects: the modules of officers' and admins' handlers, the prefixes of
# their buttons, and the buttons on a requester's own requests.
GUARDED_MODULES = frozenset(
    {
        "handlers.case_queue",
        "handlers.case_page",
        "handlers.case_actions",
        "handlers.case_typed",
        "handlers.case_history",
        "handlers.officers",
        "handlers.announce",
        "handlers.announce_text",
        "handlers.announce_audience",
        "handlers.announce_send",
        "handlers.announcements_list",
        "handlers.officer_stats",
    }
)
GUARDED_PREFIXES = ("cs:", "adm:", "an:", "anl:", "st:")
OWN_DATA_PREFIXES = ("hr:v:", "hr:add:", "hr:ok:", "hr:re:", "hr:ln:")
# Counted when this test was written (cs: 9, adm: 1, an: 13, anl: 2, st: 1, hr: 5; /kasus,
# /petugas, /umumkan, /pengumuman). Handlers are added, not removed: fewer means the walk
# lost some.
PATTERNS_WHEN_WRITTEN = 31
COMMANDS_WHEN_WRITTEN = 4

# The two ways into an officer's screens that the walk cannot see, because another
# module's handler routes them: the officers' group chat's "open in private chat" link
# (onboarding's /start → case_page.open_from_link) and the main menu's officer button.
DEEP_LINK = "/start case_{id}"
OFFICER_MENU = "menu:officer"

# How a refusal reads (handlers.navigation.expired, and the handlers' own "only ..." answers).
EXPIRED_TOAST = "This button has expired."
EXPIRED = "That button is no longer valid. Here is where we are:"
REFUSALS = (
    EXPIRED,
    "Only officers can see help requests.",
    "Only officers can send announcements.",
    "Only admins can manage officers.",
    "Welcome back!",  # /start with a case link that is not yours: just the menu
    # An officer typing on a case they no longer cover: the dialog ends, the case unseen.
    "That case cannot take this any more.",
)

# Distinctive strings in the fixtures: any of them in a reply is a leak.
JOGOSIMO_SECRETS = (
    "Sumirah Wongsodiharjo",  # case 1: the family member abroad, her number, employer…
    "0857 1111 2222",
    "PT Rahasia Satu",
    "Rahasia-satu: sudah tiga minggu tidak ada kabar",
    "Pesan-rahasia dari petugas",  # the moved officer's message to the requester
    "Balasan-rahasia keluarga",  # the requester's answer
    "Catatan-rahasia internal",  # an officer's internal note
    "PT Rahasia Dua",  # case 2 (the migrant's own request, resolved by the moved officer)
    "Rahasia-dua: gaji belum dibayar enam bulan",
    "PT Rahasia Empat",  # case 4 (held by the removed officer)
    "Rahasia-empat: paspor ditahan agensi",
    "Pengumuman-rahasia Jogosimo",  # the Jogosimo officer's scheduled announcement
    "DM-2026-000001",
    "DM-2026-000002",
    "DM-2026-000004",
    str(FAMILY_J),
    str(MIGRANT_J),
)
CANDIRENGGO_SECRETS = (  # case 3: the officers of Candirenggo may see it, nobody else
    "Paimin Cahyonoto",
    "0858 3333 4444",
    "PT Rahasia Tiga",
    "Rahasia-tiga: tidak bisa dihubungi sejak Lebaran",
    "DM-2026-000003",
    str(FAMILY_C),
)


# --- the walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guarded:
    """A registered button pattern (``pattern``) or command (``command``) to attack."""

    callback: Callable[..., Any]
    pattern: str | None = None
    command: str | None = None

    @property
    def name(self) -> str:
        return self.pattern or f"/{self.command}"


def guarded(app) -> list[Guarded]:
    """The officers' and admins' routes and the requesters' own-data buttons of ``app``,
    in registration order."""
    found: list[Guarded] = []
    for route in router_of(app).routes:
        module = inspect.unwrap(route.handler).__module__
        if route.pattern is not None:
            pattern = route.pattern.pattern
            prefix = literal_prefix(pattern)
            if module in GUARDED_MODULES or prefix.startswith(
                GUARDED_PREFIXES + OWN_DATA_PREFIXES
            ):
                found.append(Guarded(route.handler, pattern=pattern))
        elif route.command is not None and module in GUARDED_MODULES:
            found.append(Guarded(route.handler, command=route.command))
    return found


def content_words(app) -> set[str]:
    """Ids that buttons carry and no handler spells out: areas, roles, languages."""
    return {*services_of(app).villages.area_ids, *profiles.ROLES, *LANGUAGE_NAMES}


def forgeries(app, entry: Guarded, ids: list[int]) -> Iterator[Forged]:
    """The data to press, or the command lines to send (as :class:`Forged`)."""
    # A button is filled with every word its handler compares against; a command's
    # arguments with the words of the lists its handler names (ADD_WORDS, REMOVE_WORDS):
    # its other literals are dialog keys and messages, not anything a person would type.
    words, numbers = code_words(entry.callback, literals=entry.pattern is not None)
    if entry.pattern is not None:
        yield from forge(entry.pattern, ids=ids, numbers=numbers, words=words | content_words(app))
        return
    areas = sorted(services_of(app).villages.area_ids)
    tokens = sorted(words)
    arguments: list[tuple[str, ...]] = [(), *((str(i),) for i in ids)]
    arguments += [(word,) for word in tokens]
    arguments += [(word, str(i)) for word, i in product(tokens, ids)]
    arguments += [(word, str(i), area) for word, i, area in product(tokens, ids, areas)]
    for args in arguments:
        line = " ".join((f"/{entry.command}", *args))
        yield Forged(line, bool(args), line)


async def test_the_walk_finds_and_can_forge_every_guarded_handler(app):
    entries = guarded(app)
    patterns = [e.pattern for e in entries if e.pattern]
    commands = [e.command for e in entries if e.command]
    assert len(patterns) >= PATTERNS_WHEN_WRITTEN, patterns
    assert len(commands) >= COMMANDS_WHEN_WRITTEN, commands
    assert {"kasus", "petugas", "umumkan", "pengumuman"} <= set(commands)
    for prefix in GUARDED_PREFIXES + OWN_DATA_PREFIXES:
        assert any(literal_prefix(p).startswith(prefix) for p in patterns), prefix
    for entry in entries:
        # Raises Unforgeable for a pattern the generator does not know yet.
        made = list(forgeries(app, entry, [1, STAYING]))
        assert made, entry.name
        if entry.pattern and r"\d" in entry.pattern:  # an id goes there: a foreign one too
            assert any(forged.foreign for forged in made), entry.name


def test_the_generator_fills_patterns_with_the_values_given():
    made = forge(r"^cs:st:\d{1,10}:[a-z_]{1,12}$", ids=[4], words=["resolved", "too_long_a_word"])
    assert made == [Forged("cs:st:4:resolved", True, "cs:st:999999:resolved")]
    assert forge(r"^hr:ln:\d{1,10}:\d{1,10}:[yn]$", ids=[2]) == [
        Forged("hr:ln:2:2:y", True, "hr:ln:999999:999999:y"),
        Forged("hr:ln:2:2:n", True, "hr:ln:999999:999999:n"),
    ]
    assert forge(r"^st:\d{1,3}$", ids=[12345], numbers=[7, 30]) == [
        Forged("st:7", False, "st:7"),
        Forged("st:30", False, "st:30"),
    ]
    assert [f.data for f in forge(r"^adm:(list|rm:\d{1,20})$", ids=[STAYING])] == [
        "adm:list",
        f"adm:rm:{STAYING}",
    ]
    assert [f.control for f in forge(r"^cs:q(:(mine|waiting):\d{1,4})?$", ids=[1])] == [
        "cs:q",
        "cs:q:mine:9999",
        "cs:q:waiting:9999",
    ]
    for unknown in (r"^x:.+$", r"^x:(ab)+$", r"^x:\w{1,3}$", r"^x:[a-z]+$"):
        with pytest.raises(Unforgeable):
            forge(unknown, ids=[1])


# --- the world they attack ---------------------------------------------------------------


@dataclass
class World:
    app: Any
    emulator: Any
    people: dict[str, Person]
    foreign: dict[str, list[int]] = field(default_factory=dict)
    secrets: dict[str, tuple[str, ...]] = field(default_factory=dict)


async def migrant_asks(p: Person, category: str, employer: str, description: str) -> None:
    """The Jogosimo migrant's own request, from Malaysia, in Javanese."""
    details = {"city": "Kuala Lumpur", "employer": employer}
    await ask_for_help(
        p,
        locale="jv",
        category=category,
        for_whom="self",
        details=details,
        description=description,
    )


async def long_person_ids(db) -> None:
    """The people's ids are long and distinctive too: a short one (7) is also a number a
    handler knows (``st:7``, a week of statistics), and buttons carry person ids."""
    if is_postgresql(db):
        await db.execute(text("SELECT setval('people_id_seq', :last)"), {"last": PEOPLE_AFTER})
    else:  # AUTOINCREMENT: SQLite never hands out an id below one it once gave
        await db.execute(insert(PersonRow).values(id=PEOPLE_AFTER, created_at=START))
        await db.execute(delete(PersonRow).where(PersonRow.id == PEOPLE_AFTER))
    await db.commit()


async def build_world(app, person, emulator, clock, db, *, typing: bool = False) -> World:
    """Requests in Jogosimo and Candirenggo, an announcement, and the four actors.

    With ``typing``, the removed and the moved officer are left typing on a case (a note,
    a message to the requester) when the admin changes their role.
    """
    await long_person_ids(db)
    w = await villager(person, FAMILY_J)
    await ask_for_help(
        w,
        description="Rahasia-satu: sudah tiga minggu tidak ada kabar.",
        details={
            "name": "Sumirah Wongsodiharjo",
            "contact": "0857 1111 2222",
            "employer": "PT Rahasia Satu",
        },
    )
    w2 = await villager(person, MIGRANT_J, locale="jv", role="abroad")
    await migrant_asks(
        w2, "unpaid", "PT Rahasia Dua", "Rahasia-dua: gaji belum dibayar enam bulan."
    )
    c = await villager(person, FAMILY_C, village="candirenggo")
    await ask_for_help(
        c,
        description="Rahasia-tiga: tidak bisa dihubungi sejak Lebaran.",
        details={
            "name": "Paimin Cahyonoto",
            "contact": "0858 3333 4444",
            "employer": "PT Rahasia Tiga",
        },
    )
    b = await officer(app, person, STAYING, "jogosimo")
    other = await officer(app, person, CANDIRENGGO, "candirenggo")
    removed = await officer(app, person, REMOVED_ID, "jogosimo", locale="jv")
    moved = await officer(app, person, MOVED_ID, "jogosimo")
    # The moved officer handles case 1 and writes to the requester, who answers.
    await moved.press("cs:claim:1")
    await moved.press("cs:w:1")
    await moved.say("Pesan-rahasia dari petugas: mohon kirim foto kontrak.")
    await w.say("Balasan-rahasia keluarga: kontraknya hilang.")
    # The officer who stays notes something and asks to link the family's request with
    # the migrant's own (case 2).
    await b.press("cs:n:1")
    await b.say("Catatan-rahasia internal: agensi tidak terdaftar.")
    await b.press("cs:ln:1")
    await b.say("DM-2026-000002")
    # The moved officer also resolved case 2; the removed officer holds case 4.
    await moved.press("cs:claim:2")
    await moved.press("cs:st:2:resolved")
    await moved.press("cs:rs:2:wages_paid")  # the outcome, then it is resolved
    await migrant_asks(
        w2, "documents_held", "PT Rahasia Empat", "Rahasia-empat: paspor ditahan agensi."
    )
    await removed.press("cs:claim:4")
    await announce(b, "Pengumuman-rahasia Jogosimo: rapat warga.", when="05-12-2026 08:00")
    await b.tap(label("id", "button", "Send"))
    if typing:
        await removed.press("cs:n:4")
        await moved.press("cs:w:1")
    admin = person(ADMIN, language_code="en")
    await admin.say(f"/petugas hapus {REMOVED_ID}")
    await admin.say(f"/petugas tambah {MOVED_ID} candirenggo")
    v = await villager(person, VILLAGER_ID, locale="jv")

    # The world is as described, whatever the removal and the move hand back.
    db.expire_all()
    ids = {who: await known(db, who) for who in (FAMILY_J, MIGRANT_J, FAMILY_C, VILLAGER_ID)}
    ids |= {who: await known(db, who) for who in OFFICERS}
    assert [(o.person_id, o.area_id) for o in await db.scalars(select(Officer))] == sorted(
        [
            (ids[STAYING], "jogosimo"),
            (ids[CANDIRENGGO], "candirenggo"),
            (ids[MOVED_ID], "candirenggo"),
        ]
    )
    cases = {case.id: case for case in await db.scalars(select(HelpRequest))}
    assert [(i, cases[i].village_id, cases[i].requester_id) for i in sorted(cases)] == [
        (1, "jogosimo", ids[FAMILY_J]),
        (2, "jogosimo", ids[MIGRANT_J]),
        (3, "candirenggo", ids[FAMILY_C]),
        (4, "jogosimo", ids[MIGRANT_J]),
    ]
    # None: handed back to the queue
    assert cases[1].assigned_officer_id in (ids[MOVED_ID], None)
    assert (cases[2].status, cases[2].assigned_officer_id) == ("resolved", ids[MOVED_ID])
    assert cases[4].assigned_officer_id in (ids[REMOVED_ID], None)
    assert (cases[3].status, cases[3].assigned_officer_id) == ("new", None)
    link_asked = await db.scalars(
        select(HelpEvent).where(HelpEvent.request_id == 2, HelpEvent.action == "link_asked")
    )
    assert [e.detail for e in link_asked] == [{"other": 1}]
    [announcement] = await db.scalars(select(Announcement))
    assert (announcement.id, announcement.officer_id) == (1, ids[STAYING])
    assert announcement.status == "scheduled"
    assert [case.id for case in await cases_of(db, ids[VILLAGER_ID])] == []
    # Any write of a time during the attack now shows in the snapshot.
    clock.advance(timedelta(minutes=5))

    jogosimo_cases, everything = [1, 2, 4], [1, 2, 3, 4]
    world = World(app, emulator, {VILLAGER: v, OTHER_AREA: other, REMOVED: removed, MOVED: moved})
    for actor in ACTORS:
        area_cases = jogosimo_cases if actor in HAVE_AN_AREA else everything
        # The cases, announcement 1 (the Jogosimo officer's), every officer (as the target
        # of a reassignment or a removal) and the actor themselves ("assign it to me"):
        # by their person ids (what buttons carry) and their Telegram ids (what commands
        # take). A pattern's digits take them all: to a regex, ids are one number space.
        people = {*OFFICERS, ACTOR_ID[actor]}
        persons = {ids[who] for who in people}
        # An officer of Candirenggo may act on case 3: no person id may stand for it.
        assert not (area_cases == jogosimo_cases and 3 in persons), persons
        world.foreign[actor] = sorted({*area_cases, 1, *people, *persons})
        world.secrets[actor] = (
            *JOGOSIMO_SECRETS,
            *(str(i) for i in OFFICERS if i != ACTOR_ID[actor]),
            *(() if actor in HAVE_AN_AREA else CANDIRENGGO_SECRETS),
        )
    return world


@pytest.fixture
async def world(app, person, emulator, clock, db) -> World:
    return await build_world(app, person, emulator, clock, db)


# --- what each attempt must (not) do ------------------------------------------------------


async def snapshot(app, actor_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, except what a refusal may legitimately touch:

    - ``inbox``: bookkeeping of the updates themselves (one row per update received
      through the live inbox), not of what they did;
    - the acting user's own ``users.dialog``, ``step`` and ``dialog_data``: handlers leave
      the current dialog when they refuse (``_refuse`` ends an announcement draft,
      ``/kasus`` ends typing on a case), and an officer of an area may open a draft of their
      own with ``an:new``. Their other columns (``updated_at`` too: the clock has moved
      on since the setup, so a write would show) and everyone else's rows must not change.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    async with services_of(app).sessions() as session:
        actor = await person_of(session, actor_id)
        for table in Base.metadata.sorted_tables:
            if table.name == "inbox":
                continue
            statement = select(table).order_by(*table.primary_key.columns)
            rows = [dict(row._mapping) for row in await session.execute(statement)]
            if table.name == "users":
                for row in rows:
                    if row["person_id"] == actor:
                        for column in ("dialog", "step", "dialog_data"):
                            row.pop(column)
            tables[table.name] = rows
    return tables


def changes(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]):
    """The rows that appeared or vanished, per table (for a readable failure)."""
    found = {}
    for table, rows in after.items():
        old = before.get(table, [])
        added = [row for row in rows if row not in old]
        gone = [row for row in old if row not in rows]
        if added or gone:
            found[table] = {"now": added, "was": gone}
    return found


def other_chats(emulator, actor_id: int) -> dict[int, list[tuple[int, int, bool]]]:
    return {
        chat: [(m.message_id, m.edits, m.deleted) for m in messages]
        for chat, messages in emulator.chats.items()
        if chat != actor_id
    }


def everything_seen(reply: Reply) -> str:
    """All the actor received: texts (captions too), button labels and the toast."""
    parts = [reply.toast or ""]
    for message in reply.messages:
        parts.append(message.text)
        parts += message.buttons
    return "\n".join(parts)


def refused(reply: Reply, locale: str, pressed: bool, unchanged: str = "") -> bool:
    """The answer is a refusal. ``unchanged``: the text of the pressed message, for a
    press that changed nothing visible (Telegram does not edit a message into the same
    text, so a second identical refusal in place shows no change)."""
    text = reply.text if reply.messages else unchanged
    if first_line(locale, EXPIRED) in text:
        return not pressed or reply.toast == tr(locale, EXPIRED_TOAST)
    if pressed and reply.toast == tr(locale, EXPIRED_TOAST):  # the toast, then the notice
        return any(first_line(locale, notice) in text for notice in REFUSALS[1:])
    return any(first_line(locale, notice) in text for notice in REFUSALS[1:]) and (
        reply.toast is None
    )


def alike(first: Reply, second: Reply) -> bool:
    """The same answer twice: the same toast, and the same messages (or, the second time,
    no visible change: Telegram refuses to edit a message into what it already shows)."""
    screens = [(m.text, m.buttons, m.edited) for m in first.messages]
    return first.toast == second.toast and (
        screens == [(m.text, m.buttons, m.edited) for m in second.messages]
        or (not second.messages and all(m.edited for m in first.messages))
    )


@dataclass
class Attack:
    """One actor's attempts and the problems found, in words. Replies and other chats are
    checked after each attempt; the database after each handler's batch of forgeries (a
    snapshot per attempt would double the run time; a change still names the pattern and
    shows the rows)."""

    world: World
    actor: str
    problems: list[str] = field(default_factory=list)
    tried: int = 0
    baseline: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def person(self) -> Person:
        return self.world.people[self.actor]

    async def start(self) -> None:
        self.baseline = await snapshot(self.world.app, self.person.user_id)

    async def attempt(self, action: str, *, must_refuse: bool, typed: bool = False) -> Reply:
        """Press ``action`` as button data, or send it (a command, or ``typed`` text)."""
        person, locale, emulator = self.person, LOCALE[self.actor], self.world.emulator
        chats = other_chats(emulator, person.user_id)
        pressed = not (typed or action.startswith("/"))
        target = emulator.last_with_buttons(person.chat_id)  # what person.press presses on
        reply = await (person.press(action) if pressed else person.say(action))
        self.tried += 1
        where = f"{self.actor}: {action}"
        seen = everything_seen(reply)
        leaked = [secret for secret in self.world.secrets[self.actor] if secret in seen]
        if leaked:
            self.problems.append(f"{where} shows {leaked}: {seen[:300]!r}")
        unchanged = target.text if pressed and target is not None else ""
        if must_refuse and not refused(reply, locale, pressed, unchanged):
            self.problems.append(f"{where} is not refused: {seen[:300]!r}")
        if other_chats(emulator, person.user_id) != chats:
            self.problems.append(f"{where} sent something to another chat")
        return reply

    async def refused_or_as_if_missing(self, forged: Forged) -> None:
        """An officer's press with a foreign id: refused, or answered exactly as the same
        press with an id that exists nowhere (``cs:q:mine:1`` is a page number: it shows
        the same last page as ``cs:q:mine:9999``)."""
        reply = await self.attempt(forged.data, must_refuse=False)
        if refused(reply, LOCALE[self.actor], pressed=True):
            return
        missing = await self.attempt(forged.control, must_refuse=False)
        if not alike(reply, missing):
            seen = everything_seen(reply)
            self.problems.append(
                f"{self.actor}: {forged.data} is neither refused nor answered as "
                f"{forged.control}: {seen[:300]!r}"
            )

    async def database_unchanged(self, by: str) -> None:
        now = await snapshot(self.world.app, self.person.user_id)
        if now != self.baseline:
            found = changes(self.baseline, now)
            self.problems.append(f"{self.actor}: {by} changed the database: {found}")
            self.baseline = now  # report each change once, not again for every later batch


async def attack(world: World, actor: str) -> Attack:
    """Everything the walk finds, forged with this actor's foreign ids, then the two
    routes the walk cannot see."""
    app, ids = world.app, world.foreign[actor]
    outsider = actor not in HAVE_AN_AREA
    run = Attack(world, actor)
    await run.start()
    entries = guarded(app)
    for entry in [e for e in entries if e.pattern] + [e for e in entries if e.command]:
        made = list(forgeries(app, entry, ids))
        for forged in made:
            if outsider:
                await run.attempt(forged.data, must_refuse=True)
            elif forged.foreign and entry.pattern is not None:
                await run.refused_or_as_if_missing(forged)
            else:
                # An officer's own screens (/kasus ignores its arguments and shows their
                # queue): judged by what they show and change, not by a refusal.
                await run.attempt(forged.data, must_refuse=False)
        await run.database_unchanged(f"{entry.name} (one of {[f.data for f in made]})")
    for case_id in world.foreign[actor]:
        await run.attempt(DEEP_LINK.format(id=case_id), must_refuse=True)
    await run.database_unchanged(DEEP_LINK)
    await run.attempt(OFFICER_MENU, must_refuse=outsider)
    await run.database_unchanged(OFFICER_MENU)
    return run


# --- the four actors -------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
async def test_forged_buttons_and_commands_are_refused(world, actor):
    run = await attack(world, actor)
    assert run.problems == [], "\n".join(run.problems)
    assert run.tried > 500  # the generator really made the attempts


@pytest.mark.parametrize("actor", sorted(HAVE_AN_AREA))
async def test_an_officer_still_works_in_their_own_area(world, actor, db):
    """The refusals above are not an officer without rights: each of the two reaches the
    Candirenggo case through the same handlers, and nothing of Jogosimo."""
    officer_of_candirenggo = world.people[actor]
    reply = await officer_of_candirenggo.say("/kasus")
    assert "DM-2026-000003" in reply.text
    assert "DM-2026-000001" not in reply.text
    reply = await officer_of_candirenggo.press("cs:v:3")
    assert "Paimin Cahyonoto" in reply.text
    reply = await officer_of_candirenggo.press("cs:claim:3")
    assert tr(LOCALE[actor], "✅ You handle this case now. The requester is told.") in reply.text
    db.expire_all()
    assert (await db.get(HelpRequest, 3)).assigned_officer_id == await known(db, ACTOR_ID[actor])


# --- a dialog left open by the role change ---------------------------------------------------

TYPING = {REMOVED: "Catatan setelah dicabut", MOVED: "Pesan setelah pindah"}


@pytest.mark.parametrize("actor", [REMOVED, MOVED])
async def test_what_they_were_typing_on_a_case_is_refused(app, person, emulator, clock, db, actor):
    """Removed while typing a note on case 4, moved while writing to case 1's requester:
    what they send next is stored nowhere and reaches nobody."""
    world = await build_world(app, person, emulator, clock, db, typing=True)
    run = Attack(world, actor)
    await run.start()
    reply = await run.attempt(TYPING[actor], must_refuse=False, typed=True)
    locale = LOCALE[actor]
    if actor == MOVED:  # still an officer: their own queue, with the reason
        assert first_line(locale, "That case cannot take this any more.") in reply.text
        assert "DM-2026-000003" in reply.text
    else:
        assert first_line(locale, "Only officers can see help requests.") in reply.text
    await run.database_unchanged("the typed text")
    assert run.problems == [], "\n".join(run.problems)
    db.expire_all()
    assert (await row_of(db, User, ACTOR_ID[actor])).dialog is None


# Found by this suite when it was written: the dialog asked again after a refused button
# (or /bantuan, a sticker) showed the case reference of an area that was no longer theirs.
@pytest.mark.parametrize("actor", [REMOVED, MOVED])
async def test_a_button_pressed_while_still_typing_on_a_case(
    app, person, emulator, clock, db, actor
):
    """Before typing, a forged button: refused, and the dialog asked again must not
    show the case of an area that is no longer theirs."""
    world = await build_world(app, person, emulator, clock, db, typing=True)
    run = Attack(world, actor)
    await run.start()
    await run.attempt("cs:v:2", must_refuse=True)
    await run.database_unchanged("cs:v:2")
    assert run.problems == [], "\n".join(run.problems)
