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
}


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
        for entry in value_node.value:
            if not isinstance(entry, yaml.MappingNode):
                continue
            values = {k.value: v for k, v in entry.value if isinstance(v, yaml.ScalarNode)}
            entry_id = values["id"].value if "id" in values else "?"
            kind = key_node.value.rstrip("s").replace("countrie", "country")
            for field in fields:
                node = values.get(field)
                if node is not None and node.value:
                    comment = f"TRANSLATORS: {kind} {entry_id}: {field}"
                    yield node.start_mark.line + 1, None, node.value, [comment]
