"""The README's map of the repository is true and complete: every module of api/, core/, services/ and db/ (and of the
tests' and benchmarks' top folders) is named under its folder, and everything named exists.

The map's format: a folder's line starts at the left margin with its path (`api/rest/`), two spaces and what
it holds; the indented lines below it name what is in it, separated by ` · `, each name followed by what it
holds (a folder named there, `static/`, is not mapped further). Lines before the first folder name the
repository's own files."""

from __future__ import annotations

import ast
import re
import subprocess
from functools import cache
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
MAPPED = ("api", "core", "db", "services")  # every folder of these with a module needs its own line
_FOLDER = re.compile(r"^([\w.-]+(?:/[\w.-]+)*/) {2,}\S")
_NAME = re.compile(r"^[\w.][\w./-]*")


def the_map() -> tuple[list[str], dict[str, list[str]]]:
    """The names of the repository's own files, and the names under each folder."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("\n## Repository\n", 1)[1].split("```\n", 2)[1]
    root: list[str] = []
    folders: dict[str, list[str]] = {}
    current = root
    for line in block.splitlines():
        folder = _FOLDER.match(line)
        if folder:
            current = folders.setdefault(folder.group(1), [])
        else:
            current.append(line.strip())
    return _names(root), {folder: _names(lines) for folder, lines in folders.items()}


def _names(lines: list[str]) -> list[str]:
    entries = [entry.strip() for entry in " ".join(lines).split("·")]
    found = [_NAME.match(entry) for entry in entries if entry]
    assert all(found), entries
    return [match.group(0) for match in found if match]


@cache
def files() -> tuple[PurePosixPath, ...]:
    """The repository's files, as git sees them (new ones too, ignored ones not)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--deduplicate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return tuple(PurePosixPath(name) for name in listed if (ROOT / name).is_file())


def contents(folder: str) -> tuple[set[str], set[str]]:
    """The modules of a folder that hold code (an `__init__.py` with only a docstring does not), and its
    subfolders."""
    path = PurePosixPath(folder.rstrip("/"))
    modules = {
        f.name for f in files() if f.parent == path and f.suffix == ".py" and _holds_code(ROOT / f)
    }  # fmt: skip
    subfolders = {f"{f.relative_to(path).parts[0]}/" for f in files() if path in f.parents and f.parent != path}
    return modules, subfolders


def _holds_code(path: Path) -> bool:
    if path.name != "__init__.py":
        return True
    body = ast.parse(path.read_text()).body
    return any(
        not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        and not (isinstance(s, ast.ImportFrom) and s.module == "__future__")
        for s in body
    )


def test_everything_the_map_names_exists() -> None:
    root, folders = the_map()
    missing = [name for name in root if not (ROOT / name).exists()]
    missing += [
        folder + name for folder, names in folders.items() for name in names if not (ROOT / folder / name).exists()
    ]
    assert missing == []


def test_every_module_and_folder_is_on_the_map() -> None:
    root, folders = the_map()
    mapped = set(folders)
    for folder, names in folders.items():
        modules, subfolders = contents(folder)
        own_lines = {s for s in subfolders if folder + s in mapped}
        assert (modules | subfolders) - own_lines - set(names) == set(), f"{folder} misses these"
    top = {f.parts[0] + "/" for f in files() if len(f.parts) > 1}
    named = {name.split("/", 1)[0] + "/" for name in root if "/" in name}  # docs/, and .ci/ for .ci/run
    assert top - mapped - named == set(), "top folders off the map"
    needs_a_line = {str(f.parent) + "/" for f in files() if f.parts[0] in MAPPED and f.suffix == ".py"}
    assert needs_a_line - mapped == set(), "folders of modules without their own line"


def test_the_map_is_read_as_written() -> None:
    root, folders = the_map()
    assert root[:2] == ["pyproject.toml", "README.md"]
    assert "docs/" in root
    assert folders["core/"][:2] == ["window.py", "batch.py"]
    assert "static/" in folders["api/"]
    assert "api/rest/" in folders
