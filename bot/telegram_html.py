"""Telegram's HTML parse mode, checked the way the Bot API checks it.

Used by the emulator to refuse what Telegram would refuse, and by the bot to measure
text length "after entity parsing". Reference: core.telegram.org/bots/api#html-style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any, NamedTuple

# Tag -> attributes it may carry. Anything else is refused by Telegram.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),  # only class="tg-spoiler"
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


class HTMLParseError(ValueError):
    """The message is not valid Telegram HTML; the text mirrors the Bot API's wording."""


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_SPECIAL = re.compile(r"[<&]")


class Entity(NamedTuple):
    """A formatting entity as the Bot API reports it; offsets in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``MessageEntity`` JSON Telegram sends."""
        payload: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            if (value := getattr(self, key)) is not None:
                payload[key] = value
        return payload


# Tag -> entity type. tdlib keeps these as per-character flags, so nested or adjacent
# runs of one of them come out as one entity (<b>a</b><b>b</b> is one bold "ab").
_FLAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_FLAG_KINDS = frozenset(_FLAG_TYPES.values())


@dataclass
class _Open:
    """A start tag waiting for its end tag: where its text began, and what it carries."""

    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None  # <pre><code class="language-x"> puts x on the pre
    entity: bool = True  # a <code> right inside <pre> adds nothing of its own


def html_to_plain(text: str) -> str:
    """The plain text a recipient sees, or :class:`HTMLParseError` like the Bot API."""
    return html_to_entities(text)[0]


def html_to_entities(text: str) -> tuple[str, tuple[Entity, ...]]:
    """The text a recipient sees and its formatting, normalised so that two sources that
    look the same compare equal (``<b>`` and ``<strong>``; nested or split bold), or
    :class:`HTMLParseError` like the Bot API."""
    if "<" not in text and "&" not in text:
        return text, ()
    out: list[str] = []
    size = 0  # code points in ``out``; turned into UTF-16 units once at the end
    stack: list[_Open] = []
    spans: list[Entity] = []
    position = 0
    while (special := _SPECIAL.search(text, position)) is not None:
        piece = text[position : special.start()]
        out.append(piece)
        size += len(piece)
        position = special.start()
        if text[position] == "&":
            entity = _ENTITY.match(text, position)
            piece = unescape(entity.group(0)) if entity else "&"
            out.append(piece)
            size += len(piece)
            position = entity.end() if entity else position + 1
            continue
        match = _TAG.match(text, position)
        if match is None:
            raise HTMLParseError(
                "Bad Request: can't parse entities: Unsupported start tag at byte offset "
                f"{_byte_offset(text, position)}"
            )
        opened = _check_tag(text, position, match, stack, size)
        if opened is not None and opened.entity:
            spans.append(_span(opened, size, out))
        position = match.end()
    out.append(text[position:])
    if stack:
        raise HTMLParseError(
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    plain = "".join(out)
    return plain, _normalised(plain, spans)


def _span(opened: _Open, end: int, out: list[str]) -> Entity:
    """The entity a closed tag makes, offsets still in code points."""
    name, start, attrs = opened.name, opened.start, opened.attrs
    kind, url, language, emoji = _FLAG_TYPES.get(name, "code"), None, None, None
    if name == "a":
        # tdlib takes the link text as the address when href is missing or empty.
        kind, url = "text_link", attrs.get("href") or "".join(out)[start:end]
    elif name == "tg-emoji":
        kind, emoji = "custom_emoji", attrs.get("emoji-id")
    elif name == "pre":
        kind, language = "pre", opened.language
    elif name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    return Entity(kind, start, end - start, url, language, emoji)


def _normalised(plain: str, spans: list[Entity]) -> tuple[Entity, ...]:
    """Drop empty entities, merge runs of one flag, count in UTF-16 units, sort."""
    runs: dict[str, list[tuple[int, int]]] = {}
    entities: set[Entity] = set()
    for span in spans:
        if span.length <= 0:
            continue
        if span.type in _FLAG_KINDS:
            runs.setdefault(span.type, []).append((span.offset, span.offset + span.length))
        else:
            entities.add(span)
    for kind, ranges in runs.items():
        ranges.sort()
        start, end = ranges[0]
        for next_start, next_end in ranges[1:]:
            if next_start > end:
                entities.add(Entity(kind, start, end - start))
                start = next_start
            end = max(end, next_end)
        entities.add(Entity(kind, start, end - start))
    if telegram_length(plain) != len(plain):  # astral characters count two
        entities = {
            entity._replace(
                offset=telegram_length(plain[: entity.offset]),
                length=telegram_length(plain[entity.offset : entity.offset + entity.length]),
            )
            for entity in entities
        }
    # Telegram's order: by offset, the outer (longer) entity first.
    return tuple(
        sorted(
            entities, key=lambda e: (e.offset, -e.length, e.type, e.url or "", e.language or "")
        )
    )


def _check_tag(
    text: str, position: int, match: re.Match[str], stack: list[_Open], size: int
) -> _Open | None:
    """Validate one tag; a start tag is pushed, an end tag pops and returns its start."""
    closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
    if name not in ALLOWED_TAGS:
        raise HTMLParseError(
            f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
            f"offset {_byte_offset(text, position)}"
        )
    if closing:
        if not stack:
            raise HTMLParseError(
                "Bad Request: can't parse entities: Unexpected end tag at byte offset "
                f"{_byte_offset(text, position)}"
            )
        if stack[-1].name != name:
            raise HTMLParseError(
                "Bad Request: can't parse entities: Unmatched end tag at byte offset "
                f'{_byte_offset(text, position)}, expected "</{stack[-1].name}>", found '
                f'"</{name}>"'
            )
        return stack.pop()
    # Like tdlib, attributes a tag does not know are ignored, not refused.
    attrs = {
        a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or ""
        for a in _ATTR.finditer(attributes)
    }
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HTMLParseError(
            'Bad Request: can\'t parse entities: Tag "span" must have class "tg-spoiler" at '
            f"byte offset {_byte_offset(text, position)}"
        )
    attrs = {key: unescape(value) for key, value in attrs.items()}
    if name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre block in language x.
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
        stack.append(_Open(name, size, attrs, entity=False))
        return None
    stack.append(_Open(name, size, attrs))
    return None


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2
