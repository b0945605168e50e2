"""The layers, checked over the import graph: core (domain types) imports neither api nor db; db (the
store) imports core and itself, never api. A module that breaks the rule fails here, naming the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"core": ("api", "db"), "db": ("api",)}


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, with its line (also those inside functions)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line, module in imports(path)
        if module.split(".")[0] in FORBIDDEN[layer]
    ]
    assert broken == [], "\n".join(broken)


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f() -> None:\n    from api.errors import bad_argument\n")
    assert imports(module) == [(2, "api.errors")]
