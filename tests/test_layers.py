"""The layers, checked over the import graph: core (domain types) imports none of api, db and services; db
(the store) imports core and itself; services (one module per resource) import core and db, never api; and
of api's ways in, GraphQL (api/schema.py, api/roots/, api/types/) and the CLI (api/cli/) call services, never
REST's handlers (api/rest/). A module that breaks the rule fails here, naming the import. And db hands its callers
dataclasses, never an asyncpg Record or a row as a dict."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"core": ("api", "db", "services"), "db": ("api", "services"), "services": ("api",)}
NOT_REST = ("api/schema.py", "api/roots", "api/types", "api/cli", "api/subscriptions.py")


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, with its line (also those inside functions)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "api":  # `from api import rest` names the module it imports
                found += [(node.lineno, f"api.{alias.name}") for alias in node.names]
    return found


def modules(where: str) -> list[Path]:
    path = ROOT / where
    return [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


def broken(where: str, forbidden: tuple[str, ...]) -> list[str]:
    """The imports of the modules at `where` of a forbidden module or package (`api` forbids `api.rest` too)."""
    assert modules(where), f"nothing at {where}"
    return [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in modules(where)
        for line, module in imports(path)
        if any(module == name or module.startswith(name + ".") for name in forbidden)
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    found = broken(layer, FORBIDDEN[layer])
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("way_in", NOT_REST)
def test_graphql_and_the_cli_do_not_call_rest(way_in: str) -> None:
    found = broken(way_in, ("api.rest",))
    assert found == [], "\n".join(found)


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f() -> None:\n    from api.errors import bad_argument\n")
    assert imports(module) == [(2, "api.errors")]


def test_the_check_sees_a_module_imported_from_its_package(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from api import rest\n")
    assert (1, "api.rest") in imports(module)


# db/ hands its callers dataclasses: no asyncpg Record, and no row as a dict. The statements' runner (sql.py, pool.py)
# returns Records to db/ itself; the embedded server's run_as is subprocess arguments; a json() (and jsonb_order,
# which it calls) gives a dataclass's document back for REST. A mapping of values (counts by key) is not a row.
ROWS = ("Record", "dict[str, Any]")
RUNNERS = ("db/sql.py", "db/pool.py")
NOT_ROWS = {"db/embedded.py:run_as", "db/embedded_root.py:run_as", "db/json_documents.py:jsonb_order"}


def rows_handed_out(path: Path) -> list[tuple[str, str]]:
    """The public functions of a module annotated to return a Record or a row dict: (name, annotation)."""
    return [
        (node.name, ast.unparse(node.returns))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.returns is not None
        and not node.name.startswith("_")
        and node.name != "json"
        and any(kind in ast.unparse(node.returns) for kind in ROWS)
    ]


def test_db_hands_out_dataclasses() -> None:
    found = [
        f"{where}:{name} -> {returns}"
        for path in modules("db")
        if (where := str(path.relative_to(ROOT))) not in RUNNERS
        for name, returns in rows_handed_out(path)
        if f"{where}:{name}" not in NOT_ROWS
    ]
    assert found == [], "\n".join(found)


def test_the_check_sees_a_record_handed_out(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "async def f() -> list[asyncpg.Record]: ...\ndef g() -> dict[str, Any] | None: ...\n"
        "def _h() -> asyncpg.Record: ...\ndef counts() -> dict[str, int]: ...\n"
    )
    assert rows_handed_out(module) == [("f", "list[asyncpg.Record]"), ("g", "dict[str, Any] | None")]
