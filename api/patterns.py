"""What the validators accept, written as regular expressions for the OpenAPI document (`pattern`), so that
the document says exactly which strings the server takes. Each reads the same in ECMA 262 (JSON Schema's
dialect) and in Python's `re`: classes, groups, `\\xXX` and `\\uXXXX` escapes (a character above U+FFFF
stands as itself), no `\\s`, `\\d` or flags, whose meanings differ (`[\\s\\S]`, any character, is alike); a
final `$` is ECMA's end (Python's `\\Z`). tests/test_patterns.py checks each against the Python it mirrors."""

from __future__ import annotations

import ipaddress


def char_class(chars: str, negate: bool = False) -> str:
    """A character class of `chars` (escaped, ranges folded)."""
    points = sorted({ord(c) for c in chars})
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])

    def escape(point: int) -> str:  # above U+FFFF the character itself: ECMA and Python escape it differently
        return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else chr(point)

    body = "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


# What str.strip() and `\s` in Python take for white space (no white space lies above U+3000)
WHITE_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
SPACE = char_class(WHITE_SPACE)
# Free text stored in PostgreSQL holds no NUL; "not blank" is what `text.strip()` leaves something of.
TEXT = "^[^\\x00]*$"
NOT_BLANK = f"^[^\\x00]*{char_class(WHITE_SPACE + chr(0), negate=True)}[^\\x00]*$"

_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_H16 = "[0-9A-Fa-f]{1,4}"
IPV4 = f"{_OCTET}(?:\\.{_OCTET}){{3}}"


def _ipv6() -> str:
    """RFC 3986's IPv6address, which is what Python's ipaddress reads (without a %scope)."""
    ls32 = f"(?:{_H16}:{_H16}|{IPV4})"

    def groups(n: int) -> str:  # n groups, each followed by a colon
        return f"(?:{_H16}:){{{n}}}" if n else ""

    def up_to(n: int) -> str:  # at most n + 1 groups before the '::'
        return f"(?:(?:{_H16}:){{0,{n}}}{_H16})?" if n else f"(?:{_H16})?"

    forms = [f"{groups(6)}{ls32}", f"::{groups(5)}{ls32}"]
    forms += [f"{up_to(n)}::{groups(4 - n)}{ls32}" for n in range(4)]
    forms += [f"{up_to(4)}::{ls32}", f"{up_to(5)}::{_H16}", f"{up_to(6)}::"]
    return "(?:" + "|".join(forms) + ")"


IPV6 = _ipv6()
_BRACKETS = "[\\[\\]]*"
# A client's or relay's address as logs write it (api/ingest.py _parse_ip): white space around it, in brackets,
# an `IPv6:` prefix (any case), and after a '%' anything (an interface, ignored).
LOGGED_IP = f"^{SPACE}*{_BRACKETS}(?:[iI][pP][vV]6:)?(?:{IPV4}|{IPV6})(?:%[\\s\\S]*)?{_BRACKETS}{SPACE}*$"


def _masks() -> str:
    """IPv4 netmasks and host masks, the other ways Python reads an IPv4 prefix."""
    masks = {str(ipaddress.IPv4Network(f"0.0.0.0/{n}").netmask) for n in range(33)}
    masks |= {str(ipaddress.IPv4Network(f"0.0.0.0/{n}").hostmask) for n in range(33)}
    return "|".join(m.replace(".", "\\.") for m in sorted(masks))


# An address or network as ipaddress.ip_network(value.strip(), strict=False) reads it (api/attribution.py):
# a prefix may have leading zeros, an IPv4 one may be a netmask or host mask, an IPv6 address a %scope.
_SCOPE = f"%[^/%\\x00]*{char_class(WHITE_SPACE + '/%' + chr(0), negate=True)}[^/%\\x00]*"  # not blank once stripped
NETWORK = (
    f"^{SPACE}*(?:{IPV4}(?:/(?:0*(?:3[0-2]|[12]?[0-9])|{_masks()}))?"
    f"|{IPV6}(?:(?:%[^/%\\x00]+)?/0*(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])|(?:{_SCOPE})?)){SPACE}*$"
)


# What Python's str.isdigit() takes (no digit lies above U+1FFFF)
DIGITS = "".join(chr(c) for c in range(0x20000) if chr(c).isdigit())
