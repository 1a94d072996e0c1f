"""The layout rule: a screen's choices as Telegram and as WhatsApp can show them
(bot/channels/layout.py), at every limit's edge, and for any choices at all."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.layout import (
    TELEGRAM,
    WHATSAPP,
    Choice,
    Keyboard,
    LayoutError,
    ListPage,
    Row,
    lay_out,
    page_asked,
    pages_of,
    shorten,
)

PAGING = {"open_label": "Pilih", "more": "Selanjutnya ›", "back": "‹ Sebelumnya"}


def numbered(count: int, label: str = "Pilihan {n}") -> list[Choice]:
    return [Choice(f"c{n}", label.format(n=n)) for n in range(1, count + 1)]


def ids(layout: Keyboard | ListPage) -> list[list[str]]:
    if isinstance(layout, Keyboard):
        return [[choice.id for choice in row] for row in layout.rows]
    return [[row.id for row in layout.rows]]


# --- Telegram ---------------------------------------------------------------------------


def test_telegram_groups_share_a_row_and_the_rest_stand_alone():
    choices = [
        Choice("yes", "✅ Ya", group="answer"),
        Choice("no", "❌ Tidak", group="answer"),
        Choice("back", "⬅️ Kembali"),
        Choice("menu", "🏠 Menu"),
    ]
    assert ids(lay_out(choices, TELEGRAM)) == [["yes", "no"], ["back"], ["menu"]]


@pytest.mark.parametrize(
    ("count", "rows"),
    [(8, [8]), (9, [8, 1]), (16, [8, 8]), (17, [8, 8, 1])],
    ids=["8-one-row", "9-wraps", "16-two-rows", "17-three-rows"],
)
def test_telegram_splits_a_group_at_eight_a_row(count, rows):
    choices = [Choice(f"a{n}", str(n), group="quiz") for n in range(count)]
    layout = lay_out(choices, TELEGRAM)
    assert [len(row) for row in ids(layout)] == rows
    assert [c for row in ids(layout) for c in row] == [c.id for c in choices]


def test_a_group_split_by_another_choice_is_two_rows():
    choices = [Choice("a", "A", "g"), Choice("x", "X"), Choice("b", "B", "g")]
    assert ids(lay_out(choices, TELEGRAM)) == [["a"], ["x"], ["b"]]


def test_telegram_keeps_long_labels_whole():
    label = "📝 Lanjutkan permintaan bantuan yang belum terkirim"
    [[choice]] = lay_out([Choice("draft", label)], TELEGRAM).rows  # type: ignore[union-attr]
    assert choice.label == label


@pytest.mark.parametrize(
    ("choice_id", "fits"),
    [
        ("x" * 64, True),
        ("x" * 65, False),
        ("é" * 32, True),  # 2 bytes each in UTF-8: 64 bytes
        ("é" * 32 + "x", False),
        ("🙋" * 16, True),  # 4 bytes each
        ("🙋" * 16 + "x", False),
        ("", False),
    ],
    ids=[
        "64-ascii",
        "65-ascii",
        "64-bytes-of-e-acute",
        "65-bytes",
        "64-bytes-emoji",
        "65",
        "empty",
    ],
)
def test_telegram_callback_data_is_counted_in_bytes(choice_id, fits):
    choices = [Choice(choice_id, "Pilih")]
    if fits:
        assert ids(lay_out(choices, TELEGRAM)) == [[choice_id]]
    else:
        with pytest.raises(LayoutError, match="bytes"):
            lay_out(choices, TELEGRAM)


@pytest.mark.parametrize(("count", "fits"), [(100, True), (101, False)])
def test_telegram_keyboards_hold_a_hundred_buttons(count, fits):
    choices = [Choice(f"b{n}", str(n), group=f"row{n // 4}") for n in range(count)]
    if fits:
        assert sum(len(row) for row in ids(lay_out(choices, TELEGRAM))) == 100
    else:
        with pytest.raises(LayoutError, match="101 buttons"):
            lay_out(choices, TELEGRAM)


@pytest.mark.parametrize(
    "choices",
    [[], [Choice("a", "A"), Choice("a", "B")], [Choice("page:1", "A")]],
    ids=["none", "same-id", "page-id"],
)
@pytest.mark.parametrize("profile", [TELEGRAM, WHATSAPP], ids=["telegram", "whatsapp"])
def test_choices_no_channel_can_show_are_refused(choices, profile):
    with pytest.raises(LayoutError):
        lay_out(choices, profile)


# --- WhatsApp ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "kind"),
    [
        (["Ya", "Tidak"], Keyboard),
        (["Ya", "Tidak", "Kembali"], Keyboard),
        (["A", "B", "C", "D"], ListPage),  # a fourth button
        (["x" * 20, "Tidak"], Keyboard),  # a title of 20 characters fits
        (["x" * 21, "Tidak"], ListPage),  # 21 does not
        (["Ya", "Ya"], ListPage),  # two buttons of one title are refused by WhatsApp
    ],
    ids=["two", "three", "four", "title-20", "title-21", "same-titles"],
)
def test_whatsapp_uses_reply_buttons_only_where_they_fit(labels, kind):
    choices = [Choice(f"c{n}", label) for n, label in enumerate(labels)]
    layout = lay_out(choices, WHATSAPP, **PAGING)
    assert type(layout) is kind
    if isinstance(layout, Keyboard):
        assert layout.rows == (tuple(choices),)  # one row of buttons, in order


def test_a_list_of_ten_is_one_page_without_paging_rows():
    layout = lay_out(numbered(10), WHATSAPP, **PAGING)
    assert isinstance(layout, ListPage)
    assert (layout.page, layout.pages, layout.button) == (0, 1, "Pilih")
    assert [row.id for row in layout.rows] == [f"c{n}" for n in range(1, 11)]


def test_eleven_choices_page_nine_then_two():
    first = lay_out(numbered(11), WHATSAPP, **PAGING)
    second = lay_out(numbered(11), WHATSAPP, page=1, **PAGING)
    assert isinstance(first, ListPage)
    assert isinstance(second, ListPage)
    assert [row.id for row in first.rows] == [*(f"c{n}" for n in range(1, 10)), "page:1"]
    assert first.rows[-1] == Row("page:1", "Selanjutnya ›")
    assert [row.id for row in second.rows] == ["page:0", "c10", "c11"]
    assert second.rows[0] == Row("page:0", "‹ Sebelumnya")
    assert (first.pages, second.pages) == (2, 2)


@pytest.mark.parametrize(
    ("count", "spans"),
    [
        (1, [(0, 1)]),
        (10, [(0, 10)]),
        (11, [(0, 9), (9, 11)]),
        (18, [(0, 9), (9, 18)]),
        (19, [(0, 9), (9, 17), (17, 19)]),
        (26, [(0, 9), (9, 17), (17, 26)]),
        (27, [(0, 9), (9, 17), (17, 25), (25, 27)]),
    ],
)
def test_pages_hold_nine_then_eight_then_the_rest(count, spans):
    assert [(span.start, span.stop) for span in pages_of(count, 10)] == spans


def test_a_stale_page_number_opens_the_nearest_page():
    last = lay_out(numbered(11), WHATSAPP, page=7, **PAGING)
    first = lay_out(numbered(11), WHATSAPP, page=-1, **PAGING)
    assert (last.page, first.page) == (1, 0)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("label", "title", "description"),
    [
        ("x" * 24, "x" * 24, ""),
        ("x" * 25, "x" * 23 + "…", "x" * 25),
        (
            "Kula badhé késah dhateng Malaysia",
            "Kula badhé késah dhaten…",  # characters, not bytes: é counts one
            "Kula badhé késah dhateng Malaysia",
        ),
        ("y" * 80, "y" * 23 + "…", "y" * 71 + "…"),
    ],
    ids=["24-kept", "25-shortened", "javanese-words", "80-description-shortened"],
)
def test_a_long_row_title_is_shortened_and_given_whole_below(label, title, description):
    choices = [Choice("long", label), *numbered(3)]
    [row, *_rest] = lay_out(choices, WHATSAPP, **PAGING).rows  # type: ignore[misc]
    assert (row.title, row.description) == (title, description)
    assert len(row.title) <= 24
    assert len(row.description) <= 72


def test_the_list_button_is_shortened_to_twenty():
    layout = lay_out(numbered(4), WHATSAPP, open_label="Pilih salah satu jawaban panjenengan")
    assert layout.button == "Pilih salah satu ja…"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("choice_id", "page"),
    [("page:0", 0), ("page:12", 12), ("page:", None), ("page:x", None), ("c1", None)],
)
def test_a_paging_row_says_which_page_it_opens(choice_id, page):
    assert page_asked(choice_id) == page


def test_shorten_keeps_text_that_fits_and_never_exceeds_the_limit():
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert shorten("ab  cd", 4) == "ab…"  # no space left before the ellipsis


labels = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)


@settings(max_examples=200, deadline=None)
@given(st.lists(labels, min_size=1, max_size=60))
def test_every_whatsapp_layout_is_within_the_limits_and_reaches_each_choice_once(texts):
    choices = [Choice(f"c{n}", text) for n, text in enumerate(texts)]
    first = lay_out(choices, WHATSAPP, **PAGING)
    if isinstance(first, Keyboard):
        [row] = first.rows
        assert len(row) <= 3
        assert all(len(choice.label) <= 20 for choice in row)
        assert [choice.id for choice in row] == [choice.id for choice in choices]
        return
    seen: list[str] = []
    for page in range(first.pages):
        layout = lay_out(choices, WHATSAPP, page=page, **PAGING)
        assert isinstance(layout, ListPage)
        assert len(layout.rows) <= 10
        assert len(layout.button) <= 20
        assert all(len(row.title) <= 24 and len(row.description) <= 72 for row in layout.rows)
        paging = [page_asked(row.id) for row in layout.rows if page_asked(row.id) is not None]
        assert paging == [p for p in (page - 1, page + 1) if 0 <= p < first.pages]
        seen += [row.id for row in layout.rows if page_asked(row.id) is None]
    assert seen == [choice.id for choice in choices]
