"""What a typed message means: help (and its category), danger now, a feature, thanks, a
greeting, or nothing known. Pure: text in, :class:`Reading` out (no Telegram, no database).

The words are data (``bot/content/lexicon.yaml``). Text and phrases are normalised the same
way (lowercase, letters and digits only, repeated letters collapsed: "tolooong" is
"tolong"). Phrases are found longest first and use up their words, so "terima kasih sudah
membantu" is thanks and its "membantu" cannot count as a request. A word of 5+ letters
one typo away from a lexicon word counts as that word; a phrase typed without spaces
("tidakadakabar") counts too. Then: danger beats help beats features beats greetings, a
generic ask ("bantu saya cek kerja") yields to the feature it names, and quiz words are
never a request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.content.lexicon import FEATURES, REPEATS, Entry, Lexicon, load_lexicon, normalise

FUZZY_MIN = 5  # letters a word needs before a typo in it is forgiven
JOINED_MIN = 6  # letters of a phrase typed without spaces that count as that phrase
GAP = 3  # other words that "..." in a phrase stands for
# Which category a message naming several takes: the most serious first.
CATEGORY_ORDER = (
    "violence",
    "trafficking",
    "sick_accident_died",
    "documents_held",
    "lost_contact",
    "unpaid",
    "wants_home",
    "pre_departure",
    "other",
)


@dataclass(frozen=True)
class Reading:
    """``intent`` is ``help``, a feature, ``thanks``, ``greeting`` or ``unknown``;
    ``danger`` says the emergency contacts come first; ``category`` is a help category
    the words name (``None``: the person chooses)."""

    intent: str
    category: str | None = None
    danger: bool = False


@dataclass(frozen=True)
class _Phrase:
    """``words``, or ``words`` then up to :data:`GAP` other words then ``after``."""

    words: tuple[str, ...]
    after: tuple[str, ...]
    entry: Entry

    @property
    def joined(self) -> str:
        return REPEATS.sub(r"\1", "".join(self.words + self.after))

    @classmethod
    def of(cls, text: str, entry: Entry) -> _Phrase:
        before, _, after = text.partition("...")
        return cls(tuple(normalise(before).split()), tuple(normalise(after).split()), entry)


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    phrase: _Phrase


def _close(word: str, known: str) -> bool:
    """At most one edit (insert, delete, replace, or swap of neighbours) apart."""
    if abs(len(word) - len(known)) > 1 or word[0] != known[0]:
        return False
    if len(word) == len(known):
        diffs = [i for i, (a, b) in enumerate(zip(word, known, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, *rest = diffs or [0]
        return (
            rest == [first + 1]
            and word[first] == known[first + 1]
            and (word[first + 1] == known[first])
        )
    short, long = sorted((word, known), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class Matcher:
    """The lexicon prepared for matching (built once per lexicon)."""

    def __init__(self, lexicon: Lexicon) -> None:
        phrases: dict[tuple[tuple[str, ...], tuple[str, ...]], _Phrase] = {}
        for entry in lexicon.entries():
            for text in entry.phrases:
                phrase = _Phrase.of(text, entry)
                phrases.setdefault((phrase.words, phrase.after), phrase)
        self.starting: dict[str, list[_Phrase]] = {}
        for phrase in phrases.values():
            self.starting.setdefault(phrase.words[0], []).append(phrase)
        # Typed without (some) spaces: "tidakadakabar" is "tidak ada kabar".
        self.joined = {
            p.joined: p
            for p in phrases.values()
            if len(p.words) > 1 and not p.after and len(p.joined) >= JOINED_MIN
        }
        self.longest = max(len(p.words) for p in phrases.values())
        self.vocabulary = frozenset(w for p in phrases.values() for w in p.words + p.after)
        self.keep = self.vocabulary | frozenset(normalise(" ".join(lexicon.keep)).split())
        self.by_initial: dict[str, list[str]] = {}
        for known in sorted(self.vocabulary):
            if len(known) >= FUZZY_MIN:
                self.by_initial.setdefault(known[0], []).append(known)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one matcher lives as long as the bot)
    def aliases(self, word: str) -> frozenset[str]:
        """The lexicon words ``word`` stands for: itself, or those one typo away."""
        if len(word) < FUZZY_MIN or word in self.keep or word.isdigit():
            return frozenset({word})
        close = (k for k in self.by_initial.get(word[0], ()) if _close(word, k))
        return frozenset({word, *close})

    def _at(self, words: list[str], start: int, expected: tuple[str, ...]) -> bool:
        """Whether ``expected`` is typed at ``start`` (each word or a typo of it)."""
        typed = words[start : start + len(expected)]
        return len(typed) == len(expected) and all(
            k in self.aliases(w) for w, k in zip(typed, expected, strict=True)
        )

    def _end(self, words: list[str], start: int, phrase: _Phrase) -> int | None:
        """Where ``phrase`` typed at ``start`` ends, or None when it is not there."""
        if not self._at(words, start, phrase.words):
            return None
        end = start + len(phrase.words)
        if not phrase.after:
            return end
        gaps = (g for g in range(GAP + 1) if self._at(words, end + g, phrase.after))
        gap = next(gaps, None)
        return None if gap is None else end + gap + len(phrase.after)

    def _occurrences(self, words: list[str]) -> list[_Found]:
        found = []
        for i, word in enumerate(words):
            for alias in self.aliases(word):
                for phrase in self.starting.get(alias, ()):
                    end = self._end(words, i, phrase)
                    if end is not None:
                        found.append(_Found(i, end, phrase))
            for j in range(i + 1, min(i + self.longest, len(words)) + 1):
                joined = self.joined.get(REPEATS.sub(r"\1", "".join(words[i:j])))
                if joined is not None and j - i < len(joined.words):
                    found.append(_Found(i, j, joined))
        # Longest first: a longer phrase uses up the words of a shorter one inside it.
        return sorted(found, key=lambda f: (-len(f.phrase.joined), f.start))

    def read(self, text: str) -> Reading:
        words = normalise(text).split()
        used = [False] * len(words)
        entries: list[Entry] = []
        for found in self._occurrences(words):
            if not any(used[found.start : found.end]):
                used[found.start : found.end] = [True] * (found.end - found.start)
                entries.append(found.phrase.entry)
        return decide(entries)


def decide(entries: list[Entry]) -> Reading:
    """The reading of the entries found: danger, help, feature, thanks, greeting."""
    categories = {e.category for e in entries if e.category is not None}
    category = next((c for c in CATEGORY_ORDER if c in categories), None)
    intents = {e.intent for e in entries}
    if "danger" in intents:
        return Reading("help", category, danger=True)
    features = [e for e in entries if e.intent in FEATURES]
    strong = [e for e in entries if e.intent == "help" and not e.weak]
    if strong and not any(e.beats_help for e in features):
        return Reading("help", category)
    if features:
        return Reading(features[0].intent)  # the longest feature phrase found
    if "help" in intents:
        return Reading("help", category)
    for intent in ("thanks", "greeting"):
        if intent in intents:
            return Reading(intent)
    return Reading("unknown")


@functools.cache
def _matcher() -> Matcher:
    return Matcher(load_lexicon())


def read(text: str) -> Reading:
    """What ``text`` means, by the bot's lexicon."""
    return _matcher().read(text)
