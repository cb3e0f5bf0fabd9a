"""The API's permission matrix: each role against each restricted operation → 2xx / 401 / 403 /
404, with exactly the owner's permissions behind a token."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from coprod.db import utcnow
from coprod.models import OrgKind, Role, User
from tests.api.conftest import Api, bearer
from tests.conftest import module_session
from tests.factories import (
    ShiftWorld,
    add_partner,
    add_role,
    make_award,
    make_log,
    make_member,
    make_org,
    make_qualification,
    make_signup,
    make_user,
)
from tests.proposal_world import make_proposal

ROLES = ["anonymous", "volunteer", "other_coordinator", "coordinator", "lead_staff", "reviewer",
         "site_admin"]  # fmt: skip

# operation: (method, path template, body, expected status per role in ROLES order)
MATRIX = {
    "verify agency": ("post", "/organisations/{unverified}/verify", None,
                      [401, 403, 403, 403, 403, 403, 200]),
    "read members": ("get", "/organisations/{nonprofit}/members", None,
                     [401, 403, 403, 200, 403, 403, 200]),
    "add member": ("post", "/organisations/{nonprofit}/members",
                   {"email": "{newcomer_email}", "role": "member"},
                   [401, 403, 403, 403, 403, 403, 403]),
    "add partner": ("post", "/programmes/{programme}/partners",
                    {"organisation_id": "{other_org}", "role": "Help"},
                    [401, 403, 403, 403, 201, 403, 403]),
    "add metric": ("post", "/programmes/{programme}/metrics",
                   {"name": "Meals", "unit": "meals", "target": 10, "target_date": "2027-01-01"},
                   [401, 403, 403, 403, 201, 403, 403]),
    "post task": ("post", "/programmes/{programme}/tasks", {"title": "New task"},
                  [401, 403, 403, 403, 201, 403, 403]),
    "edit task description": ("patch", "/tasks/{task}", {"description": "Bring water."},
                              [401, 403, 403, 200, 200, 403, 403]),
    "add shift": ("post", "/tasks/{task}/shifts",
                  {"starts_at": "{later}", "ends_at": "{later_end}", "capacity": 3},
                  [401, 403, 403, 403, 201, 403, 403]),
    "assign": ("post", "/shifts/{shift}/assignments", {"user_id": "{assignable}"},
               [401, 403, 403, 201, 201, 403, 403]),
    "read roster": ("get", "/shifts/{shift}/signups", None,
                    [401, 403, 403, 200, 200, 403, 403]),
    "read candidates": ("get", "/shifts/{shift}/candidates", None,
                        [401, 403, 403, 200, 200, 403, 403]),
    "read my suggestions": ("get", "/me/suggestions", None,
                            [401, 200, 200, 200, 200, 200, 200]),
    "cancel a sign-up": ("post", "/signups/{signup}/cancel", None,
                         [401, 200, 404, 200, 200, 404, 404]),
    "review a log": ("post", "/contributions/{log}/review", {"decision": "approve"},
                     [401, 403, 404, 404, 404, 200, 403]),
    "read the interested": ("get", "/tasks/{task}/interested", None,
                            [401, 403, 403, 200, 200, 403, 403]),
    "read reports": ("get", "/programmes/{programme}/reports", None,
                     [403, 403, 403, 200, 200, 200, 200]),
    "support a proposal": ("post", "/proposals/{proposal}/support", None,
                           [401, 201, 201, 201, 201, 201, 201]),
    "answer a proposal": ("post", "/proposals/{proposal}/answer",
                          {"status": "declined", "answer": "Not this year."},
                          [401, 403, 403, 403, 200, 403, 403]),
    "read a hidden proposal": ("get", "/proposals/{hidden_proposal}", None,
                               [404, 200, 404, 404, 200, 404, 404]),
    # The volunteer logged hours on the task; the others neither attended nor logged.
    "give feedback": ("post", "/tasks/{task}/feedback", {"rating": 4},
                      [401, 201, 403, 403, 403, 403, 403]),
    "read you said, we did": ("get", "/programmes/{programme}/you-said-we-did", None,
                              [200, 200, 200, 200, 200, 200, 200]),
    # The nonprofit's qualification, verified by its coordinators; the volunteer holds it.
    "define a qualification": ("post", "/organisations/{nonprofit}/qualifications",
                               {"name": "Kitchen safety"}, [401, 403, 403, 201, 403, 403, 403]),
    "edit a qualification": ("patch", "/qualifications/{qualification}", {"description": "New"},
                             [401, 403, 403, 200, 403, 403, 403]),
    "award a qualification": ("post", "/users/{assignable}/qualifications",
                              {"qualification_id": "{qualification}", "awarded_on": "2026-01-01"},
                              [401, 403, 403, 201, 403, 403, 403]),
    "read its holders": ("get", "/qualifications/{qualification}/awards", None,
                         [401, 403, 403, 200, 403, 403, 403]),
    "read an award": ("get", "/awards/{award}", None, [401, 200, 404, 200, 404, 404, 404]),
    "revoke an award": ("post", "/awards/{award}/revoke", None,
                        [401, 403, 404, 200, 404, 404, 404]),
    "read my qualifications": ("get", "/me/qualifications", None,
                               [401, 200, 200, 200, 200, 200, 200]),
}  # fmt: skip


@pytest.fixture(scope="module")
def built_world(module_connection):
    """The world, built once for the module; each test sees it as built (tests/conftest.py)."""
    with module_session(module_connection) as builder:
        return build_world(builder)


@pytest.fixture
def world(built_world, session):
    """The module's world: its people read in the test's own session, and its values."""
    people = {role: session.get(User, getattr(built_world, role).id) for role in ROLES[1:]}
    return SimpleNamespace(values=built_world.values, **people)


def build_world(session):
    world = ShiftWorld(session, capacity=3, starts_at=utcnow() + timedelta(days=5))
    add_partner(session, world.programme, world.nonprofit)
    world.reviewer = make_member(session, world.agency, Role.REVIEWER)
    world.site_admin = make_user(session, is_site_admin=True)
    later = world.shift.starts_at + timedelta(days=7)
    world.values = {
        "unverified": make_org(session, OrgKind.AGENCY, verified=False).id,
        "nonprofit": world.nonprofit.id,
        "other_org": world.other_org.id,
        "programme": world.programme.id,
        "task": world.task.id,
        "shift": world.shift.id,
        "signup": make_signup(session, world.shift, world.volunteer).id,
        "log": make_log(session, user=world.volunteer, task=world.task).id,
        "newcomer_email": make_user(session).email,
        "other_volunteer": world.other_volunteer.id,
        "assignable": add_role(session, make_user(session), world.nonprofit, Role.MEMBER).id,
        "later": later.isoformat(),
        "later_end": (later + timedelta(hours=2)).isoformat(),
        "proposal": make_proposal(session, world.programme, world.other_volunteer).id,
        "qualification": (qualification := make_qualification(session, world.nonprofit)).id,
        "award": make_award(session, world.volunteer, qualification).id,
        "hidden_proposal": make_proposal(
            session, world.programme, world.volunteer, hidden_at=utcnow(), hidden_reason="Off"
        ).id,
    }
    return world


def _fill(value, values):
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values[value[1:-1]]
    return value


CASES = [
    pytest.param(op, role, expected[i], id=f"{op}-{role}")
    for op, (_m, _p, _b, expected) in MATRIX.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("operation", "role", "expected"), CASES)
def test_each_role_gets_exactly_its_permissions(client, session, world, operation, role, expected):
    method, template, body, _ = MATRIX[operation]
    user = None if role == "anonymous" else getattr(world, role)
    api = Api(client, bearer(session, user) if user is not None else None)
    path = template.format(**world.values)
    response = api.call(method.upper(), path, json=_fill(body, world.values))
    assert response.status_code == expected, response.get_json()
