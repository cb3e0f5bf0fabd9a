"""Property-based run of schemathesis against the live OpenAPI document: every operation, valid
and invalid inputs, as a volunteer, a coordinator, agency staff and a site admin. No 5xx, every
response matches the document (status code, content type, headers, body schema), and no
schema-valid request is refused for a field's value: the document states every rule on a
single field (lengths, ranges, patterns, formats, enums). What a schema cannot state -- rules
between fields, objects that do not exist, the clock, the data already stored -- may still
answer 422; those refusals are counted and named, never silently passed.

Kept short in the default suite (COPROD_FUZZ_EXAMPLES per operation and mode, 5 by default;
`make test` sets 3: every operation is still called, valid and invalid, as each role);
`make fuzz` runs it with 100 and prints the figures per role."""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coprod.extensions import limiter
from coprod.models import LogStatus, PeriodKind
from coprod.services import reports
from tests.api.conftest import bearer
from tests.factories import (
    ShiftWorld,
    make_decision,
    make_flaggable_proposal,
    make_log,
    make_metric,
    make_public_feedback,
    make_signup,
    make_user,
)

EXAMPLES = int(os.environ.get("COPROD_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Refusals of a schema-valid request that no OpenAPI 3.0 schema can state: rules between
# fields, ids of objects that do not exist or cannot be used, the clock, stored data, and the
# password rules beyond length. Any other 422 on a schema-valid request is a field rule the
# document fails to state ("refused-valid").
NOT_IN_A_SCHEMA = re.compile(
    "|".join(
        [
            r"[Nn]o such|[Nn]ot found|does not exist",  # an id that names nothing (yet)
            r"on or after|must end after|after it starts",  # one field against another
            r"A weekly series can have at most|of the series|outside the series",  # first/until
            r"keep at least one|copy shifts to itself",  # every date skipped; a task onto itself
            r"in the past|in the future|cannot be in the future",  # the clock
            r"A pilot needs a hypothesis",  # is_pilot makes hypothesis required
            r"partner of this programme|leads this programme|metrics of this programme",
            r"does not measure|given twice|this task's shifts",  # outcomes against the task
            r"already logged|at most .* more hours",  # 24 h a day, one log a shift: stored logs
            r"the shift's day|has not started yet|held this shift",  # the shift and its sign-ups
            r"when the programme started|when the task was created",  # the stored programme
            r"common passwords|too easy to guess|email address as your password",
            r"email address or password is not right",  # credentials, not a field's shape
            r"Your password is not right",  # re-entered to delete the account: credentials
            r"no longer works\. Start again",  # a cursor is a position the server made (after)
            r"has no page numbers",  # `page` is documented only to say it is not accepted
            r"Choose at least one role",  # role or roles: one of the two is needed
            r"No account uses this email address",  # a person who has not registered
            r"No one you can assign",  # who may be assigned depends on memberships and sign-ups
            r"has expired or was already used",  # a link's token is minted by the server
            r"already has an objective with this name",  # unique among the stored metrics
            r"the reason for rejecting|what the contributor should change",  # by decision
            r"no approved hours in this period",  # a service letter: the stored logs
            r"cannot be invited to this shift",  # candidates: memberships, awards, places
            r"qualifications offered here",  # a task's qualifications: the stored partners'
            r"your organisation leads or is a partner of|whose lead agency verifies it",
            r"needs “",  # a shift's required qualification: the person's stored awards
            r"This task has shifts, so it cannot become ongoing",  # its stored shifts
        ]
    )
)


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0
    refused_valid: Counter[str] = field(default_factory=Counter)
    not_in_a_schema: Counter[str] = field(default_factory=Counter)

    def record(self, case, response, positive: bool) -> None:
        self.cases += 1
        self.operations.add(case.operation.label)
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.server_errors += status >= 500
        if positive and status in (400, 422):
            try:
                body = response.json()
            except ValueError:
                body = {}
            errors = body.get("errors") or {"_": [body.get("detail", "")]}
            for name, messages in errors.items():
                for message in messages:
                    key = f"{case.operation.label} {name}: {message}"
                    if NOT_IN_A_SCHEMA.search(message):
                        self.not_in_a_schema[key] += 1
                    else:
                        self.refused_valid[key] += 1


def _world(session, now):
    world = ShiftWorld(session, capacity=3)
    metric = make_metric(session, world.programme)
    world.task.metrics = [metric]
    signup = make_signup(session, world.shift, world.volunteer)
    log = make_log(session, user=world.volunteer, task=world.task)
    make_log(session, user=world.volunteer, task=world.task, status=LogStatus.APPROVED)
    reports.rebuild_reports(session, now=now, programme_id=world.programme.id)
    session.flush()
    world.known = {
        "org_id": world.nonprofit.id,
        "user_id": world.volunteer.id,
        "programme_id": world.programme.id,
        "task_id": world.task.id,
        "shift_id": world.shift.id,
        "signup_id": signup.id,
        "log_id": log.id,
        "period": "month",
        "start": reports.period_start(PeriodKind.MONTH, log.date).isoformat(),
        "feed_token": world.volunteer.calendar_token,
        # Moderation: a proposal and a public comment to report, hide and restore.
        "proposal_id": make_flaggable_proposal(session, world.programme).id,
        "feedback_id": make_public_feedback(session, world.task).id,
        # Decisions: an open one of the programme, to read and vote on.
        "decision_id": make_decision(
            session, world.programme, closes_at=now + timedelta(days=400)
        ).id,
    }
    # Ids in valid bodies name objects that exist, so the rules on the other fields are reached.
    world.body_ids = {
        "task_id": world.task.id,
        "shift_id": world.shift.id,
        "metric_id": metric.id,
        "metric_ids": [metric.id],
        "lead_organisation_id": world.agency.id,
        "organisation_id": world.nonprofit.id,
        "coordinating_organisation_id": world.nonprofit.id,
        "user_id": world.other_volunteer.id,
    }
    return world


def _with_known_ids(case, ids: dict):
    """The generated body with every id field naming an object of the world."""

    def swap(value):
        if isinstance(value, dict):
            return {
                k: (ids[k] if k in ids and v is not None else swap(v)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    if isinstance(case.body, dict):
        case.body = swap(case.body)
    return case


ROLES = {
    "volunteer": lambda world, session: world.volunteer,
    "coordinator": lambda world, session: world.coordinator,
    "staff": lambda world, session: world.lead_staff,
    "site admin": lambda world, session: make_user(session, is_site_admin=True),
}


@pytest.mark.parametrize("who", list(ROLES))
def test_the_api_answers_every_generated_request_as_its_openapi_document_says(
    app, session, now, who
):
    world = _world(session, now)
    person = ROLES[who](world, session)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        # A token per operation: DELETE /tokens/{id} may revoke the one in use.
        headers = bearer(session, person)
        names = {p.name for p in operation.path_parameters}
        known = {k: v for k, v in world.known.items() if k in names}
        # Valid requests on the objects that exist (random ids mostly find nothing), then
        # invalid requests anywhere.
        for mode, path in ((GenerationMode.POSITIVE, known), (GenerationMode.NEGATIVE, None)):
            limiter.reset()
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)
            if mode == GenerationMode.POSITIVE:
                strategy = strategy.map(lambda case: _with_known_ids(case, world.body_ids))
            _fuzz(strategy, headers, tally, positive=mode == GenerationMode.POSITIVE)
    print(
        f"\nschemathesis as {who}: {len(tally.operations)} operations, {tally.cases} cases, "
        f"{tally.server_errors} 5xx, {sum(tally.refused_valid.values())} refused-valid, "
        f"{sum(tally.not_in_a_schema.values())} refused by rules no schema states; "
        f"statuses {dict(sorted(tally.statuses.items()))}"
    )
    for key, count in sorted(tally.not_in_a_schema.items()):
        print(f"  not in a schema x{count}: {key}")
    for key, count in sorted(tally.refused_valid.items()):
        print(f"  REFUSED-VALID x{count}: {key}")
    assert len(tally.operations) == len(list(schema.get_all_operations()))
    assert tally.cases >= len(tally.operations)
    assert tally.server_errors == 0
    assert not tally.refused_valid, sorted(tally.refused_valid)


def _fuzz(strategy, headers, tally: Tally, *, positive: bool) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        response = case.call(headers=headers)
        tally.record(case, response, positive)
        case.validate_response(response, checks=CHECKS)

    # Unsatisfiable: no invalid input exists for this operation (nothing to break).
    with contextlib.suppress(Unsatisfiable):
        run()
