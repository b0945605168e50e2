"""The internet without a connector: the pseudo-connector (id 0) of each direction that carries the mail no
connector carried. Its names are spelled here; SQL cannot import them, so the migrations' insight view and
the connector report's query spell them too, and tests/core/test_internet.py checks that every SQL file
spells exactly these (a renamed one here, or a new spelling there, fails it)."""

from __future__ import annotations

INTERNET_ID = 0  # the connector id of the internet without a connector, in either direction
THE_INTERNET = "the internet without a connector"  # as a sentence names it ("... of the internet without ...")
INTERNET_NAMES = {  # as reports and insights name it, per direction
    "inbound": f"From {THE_INTERNET}",
    "outbound": f"To {THE_INTERNET}",
}
