"""Connector names as a reader sees them: normalised, free of invisible and reordering characters, and
compared by what they look like."""

from __future__ import annotations

import pytest

from core.names import MAX_LENGTH, NameRefused, clean_name, look_alike_key, skeleton


def test_compatibility_forms_are_stored_as_the_plain_letters() -> None:
    assert clean_name("\uff23ontoso") == "Contoso"  # a fullwidth C
    assert clean_name("  Woodgrove\u00a0Bank ") == "Woodgrove Bank"  # a no-break space is a space


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ("Con\u202etoso", "U+202E RIGHT-TO-LEFT OVERRIDE (a bidirectional control character) at position 4"),
        ("\u2066Contoso", "U+2066 LEFT-TO-RIGHT ISOLATE (a bidirectional control character) at position 1"),
        ("Contoso\u200f", "U+200F RIGHT-TO-LEFT MARK (a bidirectional control character) at position 8"),
        ("Con\ntoso", "U+000A LINE FEED (a control character) at position 4"),
        ("Con\ttoso", "U+0009 CHARACTER TABULATION (a control character) at position 4"),
        ("Con\0toso", "U+0000 NULL (a control character) at position 4"),
        ("Con\u200btoso", "U+200B ZERO WIDTH SPACE (an invisible formatting character) at position 4"),
        ("Con\u2028toso", "U+2028 LINE SEPARATOR (a line separator) at position 4"),
        ("Con\u2029toso", "U+2029 PARAGRAPH SEPARATOR (a paragraph separator) at position 4"),
        ("Con\ufe0ftoso", "U+FE0F VARIATION SELECTOR-16 (an invisible character) at position 4"),
        ("Con\u1680toso", "U+1680 OGHAM SPACE MARK (a whitespace character other than a space) at position 4"),
        ("Con\ue000toso", "U+E000 (a private-use character) at position 4"),
        ("Con\udcfftoso", "U+DCFF (a lone surrogate) at position 4"),  # an undecodable byte in a CLI argument
    ],
)
def test_invisible_and_reordering_characters_are_refused_saying_where(raw: str, where: str) -> None:
    with pytest.raises(NameRefused) as refused:
        clean_name(raw)
    assert str(refused.value).startswith(f"contains {where}")


def test_every_refused_character_is_counted() -> None:
    with pytest.raises(NameRefused, match=r"at position 1 \(and 2 more such character\(s\)\)"):
        clean_name("\u202eCon\u202ctoso\n")


def test_the_length_limit_applies_to_the_normalised_name() -> None:
    assert len(clean_name("\ufdfa" * 11)) == 198  # one character that NFKC spells out in 18
    with pytest.raises(NameRefused, match=f"1 to {MAX_LENGTH} characters"):
        clean_name("\ufdfa" * 12)
    with pytest.raises(NameRefused, match=f"1 to {MAX_LENGTH} characters"):
        clean_name(" \u3000 ")  # spaces only (an ideographic space is one)


def test_the_skeleton_is_unicodes() -> None:
    assert skeleton("\u0421ontoso") == "Contoso"  # Cyrillic capital ES
    assert skeleton("m") == "rn"
    assert skeleton("\U0001d52d\U0001d4b6\u1eff\U0001d561\U0001d552\u2113") == "paypal"  # UTS #39's example


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("Contoso", "\u0421ontoso"),  # Latin C, Cyrillic ES
        ("Contoso", "C\u043ent\u043es\u043e"),  # Cyrillic o
        ("Ammo", "Arnrno"),  # m, rn
        ("Contoso", "contoso"),  # case
        ("Example", "ExampIe"),  # a capital I for the l
        ("Relay 1", "Relay l"),
        ("Woodgrove Bank", "Woodgrove  Bank"),  # two spaces show as one on a web page
    ],
)
def test_look_alike_names_share_a_key(name: str, other: str) -> None:
    assert look_alike_key(clean_name(name)) == look_alike_key(clean_name(other))


@pytest.mark.parametrize(("name", "other"), [("Fabrikam", "Woodgrove"), ("café", "cafe"), ("Relay 1", "Relay 2")])
def test_names_that_read_differently_do_not(name: str, other: str) -> None:
    assert look_alike_key(name) != look_alike_key(other)
