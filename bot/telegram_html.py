"""Telegram's HTML parse mode, checked the way the Bot API checks it.

Used by the emulator to refuse what Telegram would refuse, and by the bot to measure
text length "after entity parsing". Reference: core.telegram.org/bots/api#html-style.
"""

from __future__ import annotations

import re
from html import unescape

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


def html_to_plain(text: str) -> str:
    """The plain text a recipient sees, or :class:`HTMLParseError` like the Bot API."""
    if "<" not in text and "&" not in text:
        return text
    out: list[str] = []
    stack: list[str] = []
    position = 0
    while (special := _SPECIAL.search(text, position)) is not None:
        out.append(text[position : special.start()])
        position = special.start()
        if text[position] == "&":
            entity = _ENTITY.match(text, position)
            out.append(unescape(entity.group(0)) if entity else "&")
            position = entity.end() if entity else position + 1
            continue
        match = _TAG.match(text, position)
        if match is None:
            raise HTMLParseError(
                "Bad Request: can't parse entities: Unsupported start tag at byte offset "
                f"{_byte_offset(text, position)}"
            )
        _check_tag(text, position, match, stack)
        position = match.end()
    out.append(text[position:])
    if stack:
        raise HTMLParseError(
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"'
        )
    return "".join(out)


def _check_tag(text: str, position: int, match: re.Match[str], stack: list[str]) -> None:
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
        if stack[-1] != name:
            raise HTMLParseError(
                "Bad Request: can't parse entities: Unmatched end tag at byte offset "
                f'{_byte_offset(text, position)}, expected "</{stack[-1]}>", found '
                f'"</{name}>"'
            )
        stack.pop()
        return
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
    stack.append(name)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2
