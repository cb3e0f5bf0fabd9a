"""A bulk UPDATE, DELETE or INSERT on memberships (or on an organisation's kind or verification)
goes past the flush hook that gives the people concerned a new roles_version
(coprod/models/grants.py), so the function that sends it must call `bump_roles_version`
itself; otherwise every process would go on answering with the roles it keeps in memory.

Checked on the source (every module of coprod/), since no test can reach every statement; the
check itself is tested on small examples below, so that it is known to catch what it is for.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import coprod

WATCHED = ("Membership", "Organisation")
ORG_FACTS = ("kind", "verified_at")  # what the roles depend on (grants.py's _ORG_FACTS)
BULK = ("delete", "update", "insert")
RAW_SQL = re.compile(
    r"\b(update|delete\s+from|insert\s+into)\s+\"?(membership|organisation)\b", re.IGNORECASE
)
SQL_TEXT = ("text", "exec_driver_sql")  # SQL written out
LEGACY = re.compile(r"query\(\s*(Membership|Organisation)\b.*\.(update|delete)\(", re.DOTALL)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _target(call: ast.Call) -> str | None:
    """The watched model that `delete(X)`, `update(X)`, `insert(X)` (X or X.__table__) or
    `X.__table__.delete()` writes, if any."""
    func = call.func
    if _name(func) not in BULK:
        return None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
        arg: ast.expr = func.value.value if func.value.attr == "__table__" else func.value
    elif call.args:
        arg = call.args[0]
        if isinstance(arg, ast.Attribute) and arg.attr == "__table__":
            arg = arg.value
    else:
        return None
    name = _name(arg)
    return name if name in WATCHED else None


def _bulk_writes(function: ast.AST) -> list[str]:
    """What in the function writes memberships or an organisation's facts in bulk."""
    found = []
    for stmt in ast.walk(function):
        if not isinstance(stmt, ast.stmt) or hasattr(stmt, "body"):
            continue  # compound statements: their simple statements are walked too
        source = ast.unparse(stmt)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and _writes(node, source):
                found.append(f"line {stmt.lineno}: {source}")
        if LEGACY.search(source):
            found.append(f"line {stmt.lineno}: {source}")
    return found


def _writes(call: ast.Call, source: str) -> bool:
    """A bulk write of memberships (SQL written out included), or of organisations other
    than an update that leaves their kind and verification alone."""
    if _name(call.func) in SQL_TEXT:
        return any(isinstance(a, ast.Constant) and RAW_SQL.search(str(a.value)) for a in call.args)
    target = _target(call)
    if target == "Organisation" and _name(call.func) == "update":
        return any(fact in source for fact in ORG_FACTS)
    return target is not None


def _bumps(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and _name(node.func) == "bump_roles_version"
        for node in ast.walk(function)
    )


def unbumped(source: str) -> list[str]:
    """The functions of a module that write in bulk without a bump, with what they write."""
    tree = ast.parse(source)
    problems = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        writes = sorted(set(_bulk_writes(function)))
        if writes and not _bumps(function):
            problems.extend(f"{function.name}, {w}" for w in writes)
    return problems


def test_every_bulk_write_of_memberships_goes_with_a_roles_version_bump() -> None:
    root = Path(coprod.__file__).parent
    problems = [
        f"{path.relative_to(root.parent)}: {problem}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "grants.py"  # the hook and the bump themselves
        for problem in unbumped(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "bulk writes with no bump_roles_version:\n" + "\n".join(problems)


def test_the_check_knows_the_account_deletion_it_guards() -> None:
    """The one bulk write of memberships today is seen (so the check is not looking past it),
    and it is not reported (it bumps)."""
    path = Path(coprod.__file__).parent / "services" / "account_deletion.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    writers = [
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and _bulk_writes(f) and _bumps(f)
    ]
    assert writers
    assert unbumped(path.read_text(encoding="utf-8")) == []


CAUGHT = {
    "a bulk delete": "session.execute(delete(Membership).where(Membership.user_id == 1))",
    "a bulk update": "session.execute(update(Membership).values(role=Role.ADMIN))",
    "a bulk insert": "session.execute(insert(Membership), rows)",
    "the table's delete": "session.execute(Membership.__table__.delete())",
    "a table delete": "session.execute(sa.delete(Membership.__table__))",
    "a verification": "session.execute(update(Organisation).values(verified_at=now))",
    "a change of kind": "session.execute(update(Organisation).values(kind=OrgKind.AGENCY))",
    "an organisation deleted": "session.execute(delete(Organisation).where(x))",
    "raw SQL": "session.execute(text('DELETE FROM membership WHERE user_id = :u'))",
    "a legacy query": "session.query(Membership).filter_by(user_id=1).delete()",
}


def test_the_check_catches_each_kind_of_bulk_write_without_a_bump() -> None:
    for what, statement in CAUGHT.items():
        source = f"def work(session):\n    {statement}\n"
        assert unbumped(source), what
        bumped = source + "    bump_roles_version(session, user_ids=[1])\n"
        assert unbumped(bumped) == [], what


def test_the_check_lets_other_writes_be() -> None:
    harmless = (
        "def work(session):\n"
        "    session.execute(update(Organisation).values(name='x'))\n"
        "    session.execute(delete(Signup).where(Signup.user_id == 1))\n"
        "    session.execute(update(User).values(roles_version=2))\n"
        "    session.delete(membership)\n"  # an ORM delete: the flush hook sees it
    )
    assert unbumped(harmless) == []
