"""The layout the project keeps: services live in flows/, the product never leans on
testing/, no symlinks, and modules small enough to read."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from widerspruch.services import registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "widerspruch"
FLOWS = ROOT / "flows"
# testing/ replays each service's pages, so it may name them.
MAY_NAME_SERVICES = (PACKAGE / "testing",)
# The `demo` command runs the offline demo: the product's one use of testing/.
MAY_IMPORT_TESTING = {"widerspruch.cli": "widerspruch.testing.demo"}
MAX_LINES = 500


def package_files() -> Iterator[Path]:
    """Every file of the package as it ships: modules, templates and data."""
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the product, by its dotted name: the package and the flows."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path
    for path in sorted(FLOWS.glob("*.py")):
        name = "widerspruch.flows" + ("" if path.stem == "__init__" else f".{path.stem}")
        yield name, path


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_outside_testing_names_a_service() -> None:
    names = re.compile("|".join(map(re.escape, registry().names(watched=True))), re.IGNORECASE)
    found = []
    for path in package_files():
        if any(path.is_relative_to(folder) for folder in MAY_NAME_SERVICES):
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if names.search(line):
                found.append(f"{shown(path)}:{number}: {line.strip()}")
    assert not found, "a service is named outside flows/ (use the registry):\n" + "\n".join(found)


def imported(name: str, path: Path) -> Iterator[tuple[int, str]]:
    """Every module that module `name` imports, with its line: relative imports resolved,
    ``from a import b`` as ``a.b`` (b may be a module), and ``import_module("...")`` with
    a fixed name."""
    is_package = path.stem == "__init__"
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")
                package = package if is_package else package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_nothing_in_the_product_imports_testing_but_the_demo_command() -> None:
    found = []
    for name, path in modules():
        if within(name, "widerspruch.testing"):
            continue
        allowed = [wanted for where, wanted in MAY_IMPORT_TESTING.items() if within(name, where)]
        for line, target in imported(name, path):
            if within(target, "widerspruch.testing") and not any(
                within(target, wanted) for wanted in allowed
            ):
                found.append(f"{shown(path)}:{line}: imports {target}")
    assert not found, "the product imports widerspruch.testing:\n" + "\n".join(found)


def test_the_repository_holds_no_symlink() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "-s", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    links = [
        entry.partition("\t")[2]
        for entry in listed.split("\0")
        if entry.startswith("120000 ")  # git's mode for a symbolic link
    ]
    assert not links, "symlinks in the repository:\n" + "\n".join(links)


def test_every_module_is_at_most_500_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        count = len(path.read_text("utf-8").splitlines())
        if count > MAX_LINES:
            long.append(f"{shown(path)}: {count} lines")
    assert not long, f"modules longer than {MAX_LINES} lines:\n" + "\n".join(long)


def test_every_replica_folder_ships() -> None:
    """The flows and each service's replicas are mapped into the package by hand (the
    source packages: tests/test_cli_traps.py): a folder left out of the list works in a
    checkout and is missing from every wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    assert "widerspruch.flows" in listed
    for folder in sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir()):
        replicas = f"widerspruch.replicas.{folder.name}"
        assert replicas in listed, f"{replicas} is not in pyproject.toml's packages"
        assert config["package-data"].get(replicas) == ["*.html"], f"{replicas} ships no pages"
