"""A Babel extractor for the content files, so translators work in one place.

``babel.cfg`` maps ``bot/content/*.yaml`` here. Every text field of the checklist (names,
titles, explanations, reminders) becomes a message whose comment names the file's entry,
e.g. ``item passport: why``; ids, sources, legal bases and zones are not translated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

TRANSLATED = {
    "countries": ("name",),
    "sectors": ("name",),
    "items": ("title", "why", "where", "cost_note", "warning"),
    "reminders": ("text",),
    "signs": ("name",),
    "questions": ("text", "explanation", "instead"),
    "rules": ("flag", "verify"),
    "categories": ("label",),
    "contacts": ("name", "note"),
    "last_contact_ranges": ("label",),
    "outcomes": ("label", "text"),
    "terms": ("meaning",),
}
# Lists inside an entry whose texts are translated too (quiz answers, job-offer options).
NESTED = {"answers": ("text",), "options": ("text",)}
SINGULAR = {"countries": "country", "answers": "answer", "options": "option"}


def extract_content(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    document = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(document, yaml.MappingNode):
        return
    for key_node, value_node in document.value:
        fields = TRANSLATED.get(key_node.value)
        if fields is None or not isinstance(value_node, yaml.SequenceNode):
            continue
        yield from _entries(key_node.value, value_node, fields, "")


def _entries(
    key: str, sequence: yaml.SequenceNode, fields: tuple[str, ...], parent: str
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    kind = SINGULAR.get(key, key.rstrip("s"))
    for entry in sequence.value:
        if not isinstance(entry, yaml.MappingNode):
            continue
        scalars = {k.value: v for k, v in entry.value if isinstance(v, yaml.ScalarNode)}
        label = f"{parent}{kind} {scalars['id'].value if 'id' in scalars else '?'}"
        for field in fields:
            node = scalars.get(field)
            if node is not None and node.value:
                comment = f"TRANSLATORS: {label}: {field}"
                yield node.start_mark.line + 1, None, node.value, [comment]
        for nested_key, nested_node in entry.value:
            nested_fields = NESTED.get(nested_key.value)
            if nested_fields and isinstance(nested_node, yaml.SequenceNode):
                yield from _entries(nested_key.value, nested_node, nested_fields, f"{label}, ")
