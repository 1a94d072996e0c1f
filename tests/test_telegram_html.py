"""Telegram's HTML as the Bot API reads it (bot/telegram_html.py): the text a recipient
sees, its formatting, how long Telegram counts it, and the exact refusal a broken message
gets. The emulator refuses and renders with these functions, and the bot measures its
messages against Telegram's limits with them, so a slip here either shows people
``&amp;`` and half-cut words, or lets through a message the real Telegram would refuse.
"""

from __future__ import annotations

import json

import pytest

from bot.telegram_html import (
    Entity,
    HTMLParseError,
    html_to_entities,
    html_to_plain,
    telegram_length,
)

PREFIX = "Bad Request: can't parse entities: "


# --- the text a recipient sees -----------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("", ""),
        ("tanpa tag", "tanpa tag"),
        # Only an "&", no "<": still decoded (not passed through as typed).
        ("AT&amp;T", "AT&T"),
        ("x &lt; y &gt; z", "x < y > z"),
        ("&quot;ok&quot;", '"ok"'),
        ("&#65;&#x42;", "AB"),
        # A bare "&" is kept, and nothing after it is lost.
        ("Rp 5.000 & makan", "Rp 5.000 & makan"),
        ("a&b", "a&b"),
        ("&", "&"),
        ("&&x", "&&x"),
        # Named entities Telegram does not know stay as typed.
        ("&nbsp;", "&nbsp;"),
        ("&copy;x", "&copy;x"),
        # Decoded once: "&amp;lt;" is the five characters "&lt;".
        ("&amp;lt;", "&lt;"),
        # Only a "<", no "&".
        ("<b>Halo</b> Siti", "Halo Siti"),
        ("<B>Halo</b>", "Halo"),
    ],
)
def test_what_the_recipient_reads(html: str, plain: str) -> None:
    """A slip shows people raw entities (``&amp;``) or eats the letter after an ``&``."""
    assert html_to_plain(html) == plain


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        ("<b>x</b>", "bold"),
        ("<strong>x</strong>", "bold"),
        ("<i>x</i>", "italic"),
        ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<span class='tg-spoiler'>x</span>", "spoiler"),
        ("<span class=tg-spoiler>x</span>", "spoiler"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ("<code>x</code>", "code"),
        ('<code class="language-python">x</code>', "code"),  # a language only inside <pre>
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
    ],
)
def test_each_tag_gives_its_entity(html: str, kind: str) -> None:
    """The formatting the recipient sees, one character after a plain one."""
    assert html_to_entities("a" + html + "b") == ("axb", (Entity(kind, 1, 1),))


@pytest.mark.parametrize(
    ("html", "plain", "url"),
    [
        ('<a href="https://x.id/?a=1&amp;b=2">ini</a>', "ini", "https://x.id/?a=1&b=2"),
        ("<a href='https://x.id'>ini</a>", "ini", "https://x.id"),
        ("<a href=https://x.id>ini</a>", "ini", "https://x.id"),
        ('<a HREF="https://x.id">ini</a>', "ini", "https://x.id"),
        ('<a href = "https://x.id" title="t">ini</a>', "ini", "https://x.id"),
        # No address, or an empty one: the link text is the address (as tdlib does).
        ("<a>https://x.id</a>", "https://x.id", "https://x.id"),
        ('<a href="">https://x.id</a>', "https://x.id", "https://x.id"),
        ("<a href>https://x.id</a>", "https://x.id", "https://x.id"),
        ("ke <a>https://x.id</a>", "ke https://x.id", "https://x.id"),
    ],
)
def test_a_link_carries_the_address_the_recipient_opens(html: str, plain: str, url: str) -> None:
    """A wrong address sends a worker to the wrong page."""
    offset = len(plain) - len(plain.split()[-1])
    assert html_to_entities(html) == (
        plain,
        (Entity("text_link", offset, len(plain) - offset, url),),
    )


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<pre><code class="language-python">x = 1</code></pre>', "python"),
        ("<pre><code class='language-jv'>x = 1</code></pre>", "jv"),
        ("<pre><code>x = 1</code></pre>", None),
        ('<pre><code class="python">x = 1</code></pre>', None),
        ("<pre>x = 1</pre>", None),
    ],
)
def test_pre_with_code_is_one_block(html: str, language: str | None) -> None:
    """A ``<code>`` right inside ``<pre>`` only names the language: one block, no extra
    code entity."""
    assert html_to_entities(html) == ("x = 1", (Entity("pre", 0, 5, language=language),))


def test_formatting_inside_pre_is_kept() -> None:
    assert html_to_entities("<pre>a<b>b</b></pre>") == (
        "ab",
        (Entity("pre", 0, 2), Entity("bold", 1, 1)),
    )


def test_code_inside_something_else_is_code() -> None:
    assert html_to_entities("<b>a<code>b</code></b>") == (
        "ab",
        (Entity("bold", 0, 2), Entity("code", 1, 1)),
    )


def test_custom_emoji_carries_its_id() -> None:
    assert html_to_entities('<tg-emoji emoji-id="42">👍</tg-emoji>') == (
        "👍",
        (Entity("custom_emoji", 0, 2, custom_emoji_id="42"),),
    )


@pytest.mark.parametrize(
    ("html", "plain", "entities"),
    [
        # After decoded entities and other tags, offsets count what the recipient sees.
        ("a &amp; <b>b</b> <i>c</i>", "a & b c", (Entity("bold", 4, 1), Entity("italic", 6, 1))),
        ("&lt;3 <u>kamu</u>", "<3 kamu", (Entity("underline", 3, 4),)),
        # Astral characters count two UTF-16 units, before and inside an entity.
        ("😀<b>x</b>", "😀x", (Entity("bold", 2, 1),)),
        ("😀 <b>a😀</b> <i>é</i>", "😀 a😀 é", (Entity("bold", 3, 3), Entity("italic", 7, 1))),
        ("é<b>é</b>", "éé", (Entity("bold", 1, 1),)),
    ],
)
def test_offsets_count_what_telegram_counts(
    html: str, plain: str, entities: tuple[Entity, ...]
) -> None:
    """Offsets off by one put the bold on the wrong letters."""
    assert html_to_entities(html) == (plain, entities)


@pytest.mark.parametrize(
    ("html", "entities"),
    [
        ("<b>ab</b>", (Entity("bold", 0, 2),)),
        # Adjacent and nested runs of one style are one entity, as Telegram reports them.
        ("<b>a</b><b>b</b>", (Entity("bold", 0, 2),)),
        ("<b>a</b><strong>b</strong>", (Entity("bold", 0, 2),)),
        ("<b><strong>ab</strong></b>", (Entity("bold", 0, 2),)),
        ("<b>a<strong>b</strong>c</b>", (Entity("bold", 0, 3),)),
        ("<b>a<strong>b</strong></b>c", (Entity("bold", 0, 2),)),
        # A gap keeps them apart.
        ("x<b>a</b>-<b>b</b>", (Entity("bold", 1, 1), Entity("bold", 3, 1))),
        ("<b>a</b>-<b>b</b>", (Entity("bold", 0, 1), Entity("bold", 2, 1))),
        ("<i>a</i>-<i>b</i><i>c</i>", (Entity("italic", 0, 1), Entity("italic", 2, 2))),
        # Different styles never merge; at one place, the longer first, then by type.
        ("<b>ab<i>cd</i></b>", (Entity("bold", 0, 4), Entity("italic", 2, 2))),
        ("<i>a<b>b</b></i>", (Entity("italic", 0, 2), Entity("bold", 1, 1))),
        ("<i><b>x</b></i>", (Entity("bold", 0, 1), Entity("italic", 0, 1))),
        ("<b><i>x</i></b>", (Entity("bold", 0, 1), Entity("italic", 0, 1))),
        ("<b>a</b><i>b</i>", (Entity("bold", 0, 1), Entity("italic", 1, 1))),
        ("<b><i>a</i>b</b>", (Entity("bold", 0, 2), Entity("italic", 0, 1))),
        (
            "<i>a<b>b</b></i>c<b>d</b>",
            (Entity("italic", 0, 2), Entity("bold", 1, 1), Entity("bold", 3, 1)),
        ),
        (
            "<b>a<i>b<u>c</u></i></b>",
            (Entity("bold", 0, 3), Entity("italic", 1, 2), Entity("underline", 2, 1)),
        ),
        # Empty ones are dropped, and only they.
        ("<b></b><i>x</i>", (Entity("italic", 0, 1),)),
        ("<code></code>a<code>b</code>", (Entity("code", 1, 1),)),
        ("<b></b>x<i></i>", ()),
        ("<code></code>x<a href='https://x.id'></a>", ()),
    ],
)
def test_formatting_as_telegram_reports_it(html: str, entities: tuple[Entity, ...]) -> None:
    assert html_to_entities(html)[1] == entities


def test_to_dict_is_the_bot_api_json() -> None:
    assert Entity("text_link", 1, 2, url="https://x.id").to_dict() == {
        "type": "text_link",
        "offset": 1,
        "length": 2,
        "url": "https://x.id",
    }
    assert Entity("pre", 0, 3, language="python").to_dict() == {
        "type": "pre",
        "offset": 0,
        "length": 3,
        "language": "python",
    }
    assert Entity("custom_emoji", 4, 2, custom_emoji_id="42").to_dict() == {
        "type": "custom_emoji",
        "offset": 4,
        "length": 2,
        "custom_emoji_id": "42",
    }
    assert Entity("bold", 0, 3).to_dict() == {"type": "bold", "offset": 0, "length": 3}


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("a < b", "Unsupported start tag at byte offset 2"),
        ("é<x", "Unsupported start tag at byte offset 2"),  # offsets are UTF-8 bytes
        ("😀 <3", "Unsupported start tag at byte offset 5"),
        ("<b>x</b> <", "Unsupported start tag at byte offset 9"),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("é <FOO>x</FOO>", 'Unsupported start tag "foo" at byte offset 3'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x", 'Can\'t find end tag corresponding to start tag "i"'),
        ("<b><i><u>x", 'Can\'t find end tag corresponding to start tag "u"'),
        ("<b><i><u>x</b>", 'Unmatched end tag at byte offset 10, expected "</u>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é</b>", "Unexpected end tag at byte offset 2"),
        ("<b>x</b></b>", "Unexpected end tag at byte offset 8"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>é<i>x</b></i>", 'Unmatched end tag at byte offset 9, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            'é<span class="spoiler">x</span>',
            'Tag "span" must have class "tg-spoiler" at byte offset 2',
        ),
    ],
)
def test_broken_html_is_refused_with_the_bot_api_wording(html: str, message: str) -> None:
    """What the bot would get from Telegram for this text; a test that sends it through
    the emulator fails exactly where the real bot would fail."""
    with pytest.raises(HTMLParseError) as caught:
        html_to_entities(html)
    assert str(caught.value) == PREFIX + message


# --- length as Telegram counts it --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("a", 1),
        ("abc", 3),
        ("é", 1),
        ("ꦏꦸꦭ", 3),  # Javanese script: one unit each
        ("😀", 2),
        ("a😀b", 4),
        ("👍🏽", 4),
        ("🇮🇩", 4),
        ("👨‍👩‍👧", 8),
    ],
)
def test_telegram_length_counts_utf16_code_units(text: str, length: int) -> None:
    """Counted short, a message over 4,096 units goes out and Telegram refuses it."""
    counted = telegram_length(text)
    assert (counted, type(counted)) == (length, int)


def test_entities_reach_telegram_as_whole_numbers() -> None:
    """The JSON the bot sends: offsets and lengths in UTF-16 units, as integers."""
    entities = html_to_entities("😀 <b>a😀</b>")[1]
    assert json.dumps([entity.to_dict() for entity in entities]) == (
        '[{"type": "bold", "offset": 3, "length": 3}]'
    )
