"""Forged buttons, made from a handler's own pattern (issue 11, authorization tests).

:func:`forge` turns the regex of a ``CallbackQueryHandler`` into every callback data the
pattern accepts once its variable parts are filled from the values it is given: a run of
digits (``\\d{1,10}``) with real ids (another area's case, another person's announcement,
an officer), a run of letters (``[a-z_]{1,12}``) with the words the handler's code compares
against (:func:`code_words`). Anything it does not understand raises :class:`Unforgeable`,
and so does a variable part that no given value fits: a new kind of pattern makes the
tests fail until this module learns it, rather than going untested.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from re import _constants as sre  # the stdlib's regex parser: private, but stable since 3.11
from re import _parser as sre_parse
from typing import Any

MAX_FORGED = 1000  # per pattern: far more means the values given are not chosen with care
MAX_DATA_BYTES = 64  # Telegram never delivers longer callback data
WORD = re.compile(r"[a-z0-9][a-z0-9_-]{0,23}")


class Unforgeable(ValueError):
    """The generator cannot fill this pattern (extend it, or give it fitting values)."""


@dataclass(frozen=True)
class Forged:
    """One callback data; ``foreign`` when it carries one of the ``ids`` (something the
    actor may not touch). ``control`` is the same data with each of those ids replaced by
    one that exists nowhere (all nines): a handler that refuses nothing there (a page
    number is not an id) must answer both alike."""

    data: str
    foreign: bool
    control: str


# The ways one piece of a pattern can be filled: (text, foreign, control text).
Part = list[tuple[str, bool, str]]


def forge(
    pattern: str,
    *,
    ids: Iterable[int],
    numbers: Iterable[int] = (),
    words: Iterable[str] = (),
) -> list[Forged]:
    """Every data that fills ``pattern`` with ``ids`` (foreign), ``numbers`` (harmless
    values found in the code, such as the days of a statistics period) and ``words``."""
    foreign_ids = set(ids)
    values = _Values(
        numbers=[(n, True) for n in sorted(foreign_ids)]
        + [(n, False) for n in sorted(set(numbers) - foreign_ids)],
        words=sorted(set(words)),
    )
    parts = _sequence(list(sre_parse.parse(pattern)), values, pattern)
    compiled = re.compile(pattern)
    found: dict[str, Forged] = {}
    for combination in itertools.islice(itertools.product(*parts), MAX_FORGED + 1):
        data, foreign, control = _join(combination)
        if len(data.encode()) > MAX_DATA_BYTES or data in found:
            continue
        for made in (data, control):  # the generator's own mistake, never silent
            if compiled.fullmatch(made) is None:
                raise Unforgeable(f"{pattern}: made {made!r}, which it does not match")
        found[data] = Forged(data, foreign, control)
    if len(found) > MAX_FORGED:
        raise Unforgeable(f"{pattern}: more than {MAX_FORGED} forgeries; give fewer values")
    if not found:
        raise Unforgeable(f"{pattern}: nothing fits")
    return list(found.values())


def literal_prefix(pattern: str) -> str:
    """The fixed text a pattern starts with: ``^cs:st:\\d{1,10}:…`` → ``cs:st:``."""
    prefix = ""
    for op, argument in sre_parse.parse(pattern):
        if op is sre.AT and argument is sre.AT_BEGINNING:
            continue
        if op is not sre.LITERAL:
            break
        prefix += chr(argument)
    return prefix


@dataclass
class _Values:
    numbers: list[tuple[int, bool]]
    words: list[str]


def _sequence(items: list[tuple[Any, Any]], values: _Values, pattern: str) -> list[Part]:
    """One :data:`Part` per piece of a sequence (their product makes the data)."""
    parts: list[Part] = []
    for op, argument in items:
        if op is sre.AT:
            if argument not in (sre.AT_BEGINNING, sre.AT_END, sre.AT_END_STRING):
                raise Unforgeable(f"{pattern}: anchor {argument}")
        elif op is sre.LITERAL:
            parts.append([(chr(argument), False, chr(argument))])
        elif op is sre.SUBPATTERN:
            parts.append(_joined(_sequence(list(argument[-1]), values, pattern)))
        elif op is sre.BRANCH:
            choices: Part = []
            for alternative in argument[1]:
                choices += _joined(_sequence(list(alternative), values, pattern))
            parts.append(choices)
        elif op is sre.IN:
            parts.append([(char, False, char) for char in _chars(argument, pattern)])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            parts.append(_run(argument, values, pattern))
        else:
            raise Unforgeable(f"{pattern}: {op} is not known to the generator")
    return parts


def _join(combination: Iterable[tuple[str, bool, str]]) -> tuple[str, bool, str]:
    pieces = list(combination)
    return (
        "".join(text for text, _foreign, _control in pieces),
        any(foreign for _text, foreign, _control in pieces),
        "".join(control for _text, _foreign, control in pieces),
    )


def _joined(parts: list[Part]) -> Part:
    return [_join(combination) for combination in itertools.product(*parts)]


def _chars(items: list[tuple[Any, Any]], pattern: str) -> list[str]:
    """The characters of a one-character class such as ``[yn]``."""
    chars: list[str] = []
    for op, argument in items:
        if op is sre.LITERAL:
            chars.append(chr(argument))
        elif op is sre.RANGE and argument[1] - argument[0] < 40:
            chars += [chr(code) for code in range(argument[0], argument[1] + 1)]
        else:
            raise Unforgeable(f"{pattern}: character class item {op} {argument}")
    return chars


def _run(argument: tuple[int, int, Any], values: _Values, pattern: str) -> Part:
    """A repeated class (``\\d{1,10}``, ``[a-z_]{1,12}``, ``[a-z]+``): digits take the
    numbers, anything else the words; a run that no value fits cannot be forged. An
    optional part (``(…)?``) is left out once and filled otherwise."""
    low, high, body = argument
    body = list(body)
    if high == 1:  # an optional part, ``(…)?``: without it, and each way to fill it
        return ([("", False, "")] if low == 0 else []) + _joined(_sequence(body, values, pattern))
    if len(body) != 1 or body[0][0] is not sre.IN:
        raise Unforgeable(f"{pattern}: only a repeated character class can be filled")
    accepts = _class_test(body[0][1], pattern)
    missing = "9" * max(low, min(high, 6))  # an id that exists nowhere, for the control
    fits = [
        (text, foreign, missing if foreign else text)
        for text, foreign in (
            [(str(n), foreign) for n, foreign in values.numbers]
            if _digits_only(body[0][1])
            else [(word, False) for word in values.words]
        )
        if low <= len(text) <= high and all(accepts(char) for char in text)
    ]
    if not fits:
        raise Unforgeable(f"{pattern}: no given value fits a repeated class")
    return fits


def _digits_only(items: list[tuple[Any, Any]]) -> bool:
    return all(
        (op is sre.CATEGORY and argument is sre.CATEGORY_DIGIT)
        or (op is sre.RANGE and 48 <= argument[0] <= argument[1] <= 57)
        for op, argument in items
    )


def _class_test(items: list[tuple[Any, Any]], pattern: str) -> Callable[[str], bool]:
    tests: list[Callable[[str], bool]] = []
    for op, argument in items:
        if op is sre.LITERAL:
            tests.append(lambda char, code=argument: ord(char) == code)
        elif op is sre.RANGE:
            tests.append(lambda char, span=argument: span[0] <= ord(char) <= span[1])
        elif op is sre.CATEGORY and argument is sre.CATEGORY_DIGIT:
            tests.append(str.isdigit)
        else:
            raise Unforgeable(f"{pattern}: character class item {op} {argument}")
    return lambda char: any(test(char) for test in tests)


# --- what a handler's code compares against ------------------------------------------------


def code_words(
    function: Callable[..., Any], *, literals: bool = True
) -> tuple[set[str], set[int]]:
    """Words and numbers the handler's own code knows: its short string literals (unless
    ``literals`` is false), and the members (or keys) of the collections it names
    (``STATUS_BUTTONS``, ``PERIODS``, ``ADD_WORDS``, ``cases.OPEN``). Inline integers are
    left out: they are indexes, not values of data.
    """
    original = inspect.unwrap(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(original)))
    words: set[str] = set()
    numbers: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if literals and WORD.fullmatch(node.value):
                words.add(node.value)
        elif isinstance(node, ast.Name | ast.Attribute):
            for value in _members(_resolve(node, original.__globals__)):
                if isinstance(value, bool):
                    continue
                if isinstance(value, int):
                    numbers.add(value)
                elif isinstance(value, str) and WORD.fullmatch(value):
                    words.add(value)
    return words, numbers


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, namespace), node.attr, None)
    return None


def _members(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value
    elif isinstance(value, tuple | list | set | frozenset):
        for member in value:
            if isinstance(member, str | int):
                yield member
