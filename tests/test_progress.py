from __future__ import annotations

import io

from api.feed import FeedSummary, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_lines_and_messages_on_a_terminal() -> None:
    screen = Terminal()
    progress = Progress(screen, lines=lambda: 45_000)
    progress.update(FeedSummary(records=10_000, accepted=9_000))
    progress.done()
    text = screen.getvalue()
    assert "45,000 lines" in text
    assert "10,000 messages" in text
    assert "9,000 stored" in text
    quiet = io.StringIO()  # not a terminal: nothing written
    Progress(quiet).update(FeedSummary(records=1))
    assert quiet.getvalue() == ""
