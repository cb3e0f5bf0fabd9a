"""The doors are typed: no function of the web pages or of the API takes or returns `Any`
(views return flask.typing.ResponseReturnValue, helpers typed dicts or ORM objects, and what is
truly open is `object`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["coprod/web", "coprod/api"]


def _names_any(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                quoted = ast.parse(node.value, mode="eval").body  # a quoted annotation
            except SyntaxError:
                continue  # a Literal's text
            if _names_any(quoted):
                return True
    return False


def signatures_with_any(source: str) -> list[str]:
    """The functions (with their line) whose parameters or return name `Any`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        annotations = [p.annotation for p in params if p is not None] + [node.returns]
        if any(_names_any(x) for x in annotations):
            found.append(f"{node.name} (line {node.lineno})")
    return found


def test_the_check_finds_any_wherever_a_signature_names_it() -> None:
    source = (
        "def a(x: Any) -> None: ...\n"
        "def b(**kw: Any) -> None: ...\n"
        "def c() -> dict[str, typing.Any]: ...\n"
        "def d(f: 'Callable[..., Any]') -> None: ...\n"
        "async def e(*args: Any) -> None: ...\n"
        "def ok(x: object, y: 'int') -> dict[str, object]:\n"
        "    z: Any = x\n"
    )
    assert [s.split()[0] for s in signatures_with_any(source)] == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_of_the_doors_takes_or_returns_any(package: str) -> None:
    found = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / package).rglob("*.py"))
        if (names := signatures_with_any(path.read_text(encoding="utf-8")))
    }
    assert found == {}
