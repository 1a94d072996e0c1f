"""Reading a content file into its schema, with errors that name the file and entry."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.errors import ContentError

Model = TypeVar("Model", bound=BaseModel)
SINGULAR = {"countries": "country", "signs": "sign", "questions": "question", "rules": "rule"}
# libyaml's parser when PyYAML has it (its wheels do): 9 times faster than the pure-Python
# one on our content files (47 ms against 433 ms for all of them).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The parsed document of ``path``: parsed once per version of the file in a process
    (the app factory reads every content file whenever it builds an application, and the
    tests build thousands), handed out as a copy so that no caller can change another's."""
    stat = path.stat()
    return copy.deepcopy(_parsed(str(path.resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _parsed(path: str, _mtime_ns: int, _size: int) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=LOADER)


def load_yaml(path: Path, schema: type[Model]) -> Model:
    raw: object = None
    try:
        raw = read_yaml(path)
        return schema.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContentError(f"Content error in {path.name}: {first}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "file"
        message = error["msg"].removeprefix("Value error, ")
        raise ContentError(
            f"Content error in {path.name} at {where}{entry_at(raw, error['loc'])}: {message}"
        ) from None


def entry_at(raw: object, loc: tuple[int | str, ...]) -> str:
    """`` (question 'tourist-visa')`` when the error is inside a list entry with an id."""
    if len(loc) >= 2 and isinstance(raw, dict) and isinstance(loc[1], int):
        entries = raw.get(str(loc[0]))
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        if isinstance(entry, dict) and entry.get("id"):
            kind = SINGULAR.get(str(loc[0]), str(loc[0]).rstrip("s"))
            return f" ({kind} {entry['id']!r})"
    return ""
