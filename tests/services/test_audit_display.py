"""The audit log in words: every action the code records has a readable name; entries link to
the pages of objects that still exist; before/after values field by field."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from coprod.errors import NotAllowed
from coprod.models import AuditEntry, LogStatus
from coprod.services import audit_display
from coprod.services.tasks.lifecycle import TRANSITIONS
from tests.factories import make_org, make_programme, make_user

COPROD = Path(__file__).resolve().parents[2] / "coprod"
# Functions that pass their `action` on to audit.record, and where that argument sits.
WRAPPERS = {"record": 2, "record_change": 2, "set_password": "action"}
# Actions built at run time, by the source of the expression, with every value it can take:
# a review decision (coprod/services/review/, and the demo world's reviews).
DECISIONS = {
    f"log.{s.value}" for s in (LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.CHANGES_REQUESTED)
}
MOVES = {f"task.{to.value}" for targets in TRANSITIONS.values() for to in targets}
DYNAMIC = {
    "f'log.{status.value}'": DECISIONS,
    "f'log.{decided.value}'": DECISIONS,
    "f'task.{to.value}'": MOVES,  # coprod/services/tasks/lifecycle/: a task's status moves
}


def _called(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "record":
        return "record" if isinstance(func.value, ast.Name) and func.value.id == "audit" else None
    if isinstance(func, ast.Name) and func.id in WRAPPERS and func.id != "record":
        return func.id
    return None


def _argument(call: ast.Call, where: int | str) -> ast.expr | None:
    if isinstance(where, int):
        return call.args[where] if len(call.args) > where else None
    return next((k.value for k in call.keywords if k.arg == where), None)


def _values(expr: ast.expr, scope: ast.AST, params: set[str], at: str) -> set[str]:
    """Every string the action expression can be: literals, both arms of `a if c else b`, a
    local variable's assignments; a wrapper's own parameter is checked at its callers."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _values(expr.body, scope, params, at) | _values(expr.orelse, scope, params, at)
    if isinstance(expr, ast.Name) and expr.id in params:
        return set()
    if isinstance(expr, ast.Name):
        found: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == expr.id for t in node.targets
            ):
                found |= _values(node.value, scope, params, at)
        assert found, f"{at}: cannot tell which actions {expr.id} holds"
        return found
    source = ast.unparse(expr)
    assert source in DYNAMIC, f"{at}: an action built at run time ({source}): list it in DYNAMIC"
    return DYNAMIC[source]


def recorded_actions() -> dict[str, str]:
    """Every action recorded anywhere in coprod/, with the place that records it."""
    actions: dict[str, str] = {}
    for path in sorted(COPROD.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = {a.arg for a in func.args.args + func.args.kwonlyargs}
            for call in ast.walk(func):
                name = _called(call) if isinstance(call, ast.Call) else None
                if name is None or not isinstance(call, ast.Call):
                    continue
                expr = _argument(call, WRAPPERS[name])
                if expr is None:
                    continue
                at = f"{path.relative_to(COPROD.parent)}:{call.lineno}"
                for action in _values(expr, func, params, at):
                    actions.setdefault(action, at)
    return actions


def test_every_recorded_action_has_a_readable_name() -> None:
    actions = recorded_actions()
    assert len(actions) > 40  # the scan finds them (51 when this was written)
    assert {"signup.created", "signup.assigned", "log.approved", "user.password_reset"} <= set(
        actions
    )
    missing = {a: at for a, at in actions.items() if a not in audit_display.ACTION_NAMES}
    assert missing == {}, f"give these audit actions a name in ACTION_NAMES: {missing}"


def test_action_and_field_names_read_as_words() -> None:
    assert audit_display.action_name("signup.created") == "Signed up for a shift"
    assert audit_display.action_name("shift.painted_blue") == "Shift painted blue"  # no name: words
    assert audit_display.object_name("ContributionLog") == "Contribution log"
    assert audit_display.field_name("starts_at") == "Starts at"


def test_changes_leave_out_unchanged_fields_and_show_values_as_text() -> None:
    entry = AuditEntry(
        action="programme.updated",
        object_type="Programme",
        before={"name": "A", "is_pilot": False, "outcomes": [[1, "2"]], "gone": "x"},
        after={"name": "A", "is_pilot": True, "outcomes": [], "hypothesis": None},
    )
    changes = [(c.label, c.before, c.after) for c in audit_display.entry_changes(entry)]
    assert changes == [
        ("Is pilot", "No", "Yes"),
        ("Outcomes", '[[1, "2"]]', "[]"),
        ("Hypothesis", None, "—"),
        ("Gone", "x", None),
    ]
    created = AuditEntry(action="task.created", object_type="Task", after={"title": "T"})
    assert [(c.before, c.after) for c in audit_display.entry_changes(created)] == [(None, "T")]


def test_targets_are_for_site_admins_and_only_for_objects_that_exist(session) -> None:
    admin = make_user(session, is_site_admin=True)
    org, programme = make_org(session, name="Food Bank"), make_programme(session, name="Meals")
    entries = [
        AuditEntry(action="organisation.created", object_type="Organisation", object_id=org.id),
        AuditEntry(action="programme.created", object_type="Programme", object_id=programme.id),
        AuditEntry(action="programme.created", object_type="Programme", object_id=999999),
        AuditEntry(action="user.registered", object_type="User", object_id=None),
    ]
    session.add_all(entries)
    session.flush()
    targets = audit_display.entry_targets(session, admin, entries)
    assert {k: (t.kind, t.id, t.label) for k, t in targets.items()} == {
        entries[0].id: ("organisation", org.id, "Food Bank"),
        entries[1].id: ("programme", programme.id, "Meals"),
    }
    with pytest.raises(NotAllowed):
        audit_display.entry_targets(session, make_user(session), entries)


def test_proposals_and_feedback_link_to_their_pages(session) -> None:
    from coprod.models import Feedback, Proposal
    from tests.factories import make_feedback, make_proposal, make_task

    admin = make_user(session, is_site_admin=True)
    proposal = make_proposal(session, title="Benches by the river")
    task = make_task(session, title="Park litter pick")
    feedback = make_feedback(session, task)
    entries = [
        AuditEntry(action="proposal.created", object_type="Proposal", object_id=proposal.id),
        AuditEntry(action="feedback.given", object_type="Feedback", object_id=feedback.id),
    ]
    session.add_all(entries)
    session.flush()
    targets = audit_display.entry_targets(session, admin, entries)
    assert {k: (t.kind, t.id, t.label) for k, t in targets.items()} == {
        entries[0].id: ("proposal", proposal.id, "Benches by the river"),
        entries[1].id: ("task", task.id, "Feedback on Park litter pick"),
    }
    assert isinstance(proposal, Proposal) and isinstance(feedback, Feedback)
