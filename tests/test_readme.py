from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 2)
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", "\n## ".join(head[:2]), re.DOTALL)
    return [b.strip() for b in blocks]


def test_readme_opens_with_the_two_commands() -> None:
    first, second = _commands()[:2]
    assert "mailflow serve --demo" in first
    assert "pytest" in second


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci
