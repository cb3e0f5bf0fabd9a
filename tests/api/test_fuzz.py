"""Property-based run of schemathesis against the live OpenAPI document: every operation, valid
and invalid inputs, as a volunteer and as a coordinator. No 5xx, and every response matches the
document (status code, content type, headers, body schema).

Kept short in the default suite (COPROD_FUZZ_EXAMPLES per operation and mode, 5 by default);
`make fuzz` runs it longer."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field

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
from tests.factories import ShiftWorld, make_log, make_metric, make_signup

EXAMPLES = int(os.environ.get("COPROD_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


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
    }
    return world


@pytest.mark.parametrize("who", ["volunteer", "coordinator"])
def test_the_api_answers_every_generated_request_as_its_openapi_document_says(
    app, session, now, who
):
    world = _world(session, now)
    person = getattr(world, who)
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
            _fuzz(operation.as_strategy(generation_mode=mode, path_parameters=path), headers, tally)
    print(
        f"\nschemathesis as {who}: {len(tally.operations)} operations, {tally.cases} cases, "
        f"statuses {dict(sorted(tally.statuses.items()))}"
    )
    assert len(tally.operations) == len(list(schema.get_all_operations()))
    assert tally.cases >= len(tally.operations)


def _fuzz(strategy, headers, tally: Tally) -> None:
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
        tally.cases += 1
        tally.operations.add(case.operation.label)
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    # Unsatisfiable: no invalid input exists for this operation (nothing to break).
    with contextlib.suppress(Unsatisfiable):
        run()
