"""The API's schemas state the services' own limits (read from the services' constants), so the
OpenAPI document promises exactly what the services accept."""

from __future__ import annotations

import pytest

from coprod.errors import Invalid
from coprod.services import (
    account_admin,
    accounts,
    organisations,
    partners,
    profile,
    programmes,
    tasks,
    tokens,
)
from coprod.services.capacity import MAX_TAG
from coprod.services.contributions import rules
from coprod.services.tasks import lifecycle
from coprod.services.text import SEARCH_MAX
from tests.factories import ShiftWorld

LIMITS = [
    ("TaskIn", "title", lifecycle.MAX_TITLE),
    ("TaskIn", "description", lifecycle.MAX_DESCRIPTION),
    ("TaskIn", "location", lifecycle.MAX_LOCATION),
    ("TaskPatch", "title", lifecycle.MAX_TITLE),
    ("ProgrammeIn", "name", programmes.MAX_NAME),
    ("ProgrammeIn", "description", programmes.MAX_DESCRIPTION),
    ("ProgrammeIn", "hypothesis", programmes.MAX_HYPOTHESIS),
    ("ProgrammeIn", "letter_signatory", programmes.MAX_SIGNATORY),
    ("MetricIn", "name", programmes.MAX_NAME),
    ("MetricIn", "unit", programmes.MAX_UNIT),
    ("PartnerIn", "role", partners.MAX_ROLE),
    ("PartnerIn", "commitments", partners.MAX_TEXT),
    ("OrganisationIn", "name", organisations.MAX_NAME),
    ("OrganisationIn", "description", organisations.MAX_DESCRIPTION),
    ("DeclineIn", "reason", organisations.MAX_REASON),
    ("AccountIn", "display_name", accounts.MAX_NAME),
    ("MeIn", "display_name", accounts.MAX_NAME),
    ("MeIn", "phone", profile.MAX_PHONE),
    ("DeactivateIn", "reason", account_admin.MAX_REASON),
    ("TokenIn", "name", tokens.MAX_NAME),
    ("ContributionIn", "notes", rules.MAX_NOTES),
    ("ReviewIn", "comment", rules.MAX_NOTES),
]


def _max_length(prop: dict) -> int:
    if "maxLength" in prop:
        return int(prop["maxLength"])
    return next(int(p["maxLength"]) for p in prop.get("anyOf", []) if "maxLength" in p)


@pytest.mark.parametrize(("schema", "field", "limit"), LIMITS)
def test_the_openapi_document_states_the_services_limit(client, schema, field, limit) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    prop = spec["components"]["schemas"][schema]["properties"][field]
    assert _max_length(prop) == limit


def test_search_and_skill_limits_are_the_services(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    tasks_args = {p["name"]: p for p in spec["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    assert tasks_args["q"]["schema"]["maxLength"] == SEARCH_MAX
    skills = spec["components"]["schemas"]["TaskIn"]["properties"]["skills"]["items"]
    assert skills["maxLength"] == MAX_TAG


def test_the_task_service_takes_a_title_of_the_limit_and_refuses_one_longer(session) -> None:
    w = ShiftWorld(session)
    limit = lifecycle.MAX_TITLE
    task = tasks.create_task(session, w.lead_staff, w.programme, title="t" * limit)
    assert len(task.title) == limit
    with pytest.raises(Invalid) as err:
        tasks.create_task(session, w.lead_staff, w.programme, title="t" * (limit + 1))
    assert "title" in err.value.errors
