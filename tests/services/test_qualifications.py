"""Defining qualifications, awarding and revoking them, their holders, a person's own awards
and skills, and the qualifications a task requires or trains."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, OrgKind, QualificationAward, Role, TaskStatus, Verifier
from coprod.services import tasks
from coprod.services.capacity import qualifications as quals
from coprod.services.capacity.qualifications import AwardState
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_award,
    make_member,
    make_org,
    make_programme,
    make_qualification,
    make_user,
)

TODAY = date(2026, 6, 13)  # NOW's date in the default zone


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.errors


def _actions(session, obj) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == obj.id)
            .order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def coordinator(session, org):
    return make_member(session, org, Role.COORDINATOR)


def _define(session, actor, org, now, **fields):
    values = {"name": "Food hygiene", "how_to_get": "Attend our course."} | fields
    return quals.define_qualification(session, actor, org, now=now, **values)


# --- defining -----------------------------------------------------------------------------


def test_a_coordinator_defines_a_qualification_and_it_is_audited(session, org, coordinator, now):
    q = _define(session, coordinator, org, now, validity_months="24", description="Safe food.")
    assert (q.name, q.validity_months, q.verifier) == ("Food hygiene", 24, Verifier.COORDINATORS)
    assert q.how_to_get == "Attend our course." and q.created_by_id == coordinator.id
    assert _actions(session, q) == ["qualification.created"]


def test_an_agency_s_staff_define_one_but_members_and_strangers_may_not(session, now):
    agency = make_org(session, OrgKind.AGENCY)
    assert _define(session, make_member(session, agency, Role.STAFF), agency, now).id
    for person in (make_member(session, agency, Role.MEMBER), make_user(session), None):
        with pytest.raises((NotAllowed, NotFound)):
            _define(session, person, agency, now, name="Other")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "Enter a name"),
        ({"name": "x" * 121}, "name", "120 characters or fewer"),
        ({"name": "Food\nhygiene"}, "name", "one line"),
        ({"validity_months": "0"}, "validity_months", "from 1 to 600"),
        ({"validity_months": "601"}, "validity_months", "from 1 to 600"),
        ({"validity_months": "twelve"}, "validity_months", "from 1 to 600"),
        ({"validity_months": "1" * 40}, "validity_months", "from 1 to 600"),
        ({"validity_months": -3}, "validity_months", "from 1 to 600"),
        ({"verifier": "anyone"}, "verifier", "Choose who verifies"),
        ({"verifier": "lead_agency"}, "programme_id", "Choose the programme"),
        ({"description": "x" * 5001}, "description", "5000 characters"),
    ],
)
def test_bad_fields_are_refused_beside_the_field(
    session, org, coordinator, now, fields, field, words
):
    errors = _errors(lambda: _define(session, coordinator, org, now, **fields))
    assert words in " ".join(errors[field])
    assert quals.list_qualifications(session, coordinator, org).total == 0


def test_validity_may_be_empty_600_or_1_month(session, org, coordinator, now):
    assert (
        _define(session, coordinator, org, now, name="A", validity_months="").validity_months
        is None
    )
    assert (
        _define(session, coordinator, org, now, name="B", validity_months=600).validity_months
        == 600
    )
    assert (
        _define(session, coordinator, org, now, name="C", validity_months="1").validity_months == 1
    )


def test_a_name_is_unique_in_its_organisation_whatever_its_case(session, org, coordinator, now):
    _define(session, coordinator, org, now)
    errors = _errors(lambda: _define(session, coordinator, org, now, name="FOOD HYGIENE"))
    assert errors["name"] == ["This organisation already has a qualification with this name."]
    other = make_org(session)
    assert _define(session, make_member(session, other, Role.COORDINATOR), other, now).id


def test_the_lead_agency_verifies_only_for_a_programme_the_organisation_is_part_of(
    session, org, coordinator, now
):
    partnered = make_programme(session)
    add_partner(session, partnered, org)
    stranger = make_programme(session)
    errors = _errors(
        lambda: _define(
            session, coordinator, org, now, verifier="lead_agency", programme_id=stranger.id
        )
    )
    assert "leads or is a partner of" in errors["programme_id"][0]
    for bad in ("abc", 10**30, -1):
        assert "programme_id" in _errors(
            lambda b=bad: _define(
                session, coordinator, org, now, verifier="lead_agency", programme_id=b
            )
        )
    q = _define(session, coordinator, org, now, verifier="lead_agency", programme_id=partnered.id)
    assert (q.verifier, q.programme_id) == (Verifier.LEAD_AGENCY, partnered.id)
    assert [p.id for p in quals.programmes_for(session, org)] == [partnered.id]


def test_editing_keeps_the_rules_and_is_audited(session, org, coordinator, now):
    first = _define(session, coordinator, org, now)
    second = _define(session, coordinator, org, now, name="Chainsaw")
    errors = _errors(
        lambda: quals.update_qualification(
            session, coordinator, second, now=now, name="food HYGIENE"
        )
    )
    assert "already has" in errors["name"][0]
    quals.update_qualification(
        session, coordinator, first, now=now, name="Food Hygiene", validity_months=6
    )
    assert (first.name, first.validity_months) == ("Food Hygiene", 6)
    assert _actions(session, first) == ["qualification.created", "qualification.updated"]
    with pytest.raises(NotAllowed):
        quals.update_qualification(session, make_user(session), first, now=now, name="X")


def test_archiving_hides_it_from_the_list_and_can_be_undone(session, org, coordinator, now):
    q = _define(session, coordinator, org, now)
    quals.set_archived(session, coordinator, q, True, now=now)
    assert quals.list_qualifications(session, None, org).items == []
    assert quals.list_qualifications(session, None, org, archived=True).items == [q]
    quals.set_archived(session, coordinator, q, False, now=now)
    assert quals.list_qualifications(session, None, org).items == [q]
    assert _actions(session, q)[1:] == ["qualification.archived", "qualification.unarchived"]


def test_the_list_is_paginated_by_name(session, org, coordinator, now):
    for name in ("c", "A", "b"):
        _define(session, coordinator, org, now, name=name)
    page = quals.list_qualifications(session, None, org, page=1, per_page=2)
    assert [q.name for q in page.items] == ["A", "b"] and page.total == 3
    assert [
        q.name for q in quals.list_qualifications(session, None, org, page=2, per_page=2).items
    ] == ["c"]


def test_an_unknown_qualification_is_not_found(session):
    for bad in (0, 10**12, 999_999):
        with pytest.raises(NotFound):
            quals.get_qualification(session, None, bad)


# --- awarding and revoking ----------------------------------------------------------------


def test_a_verifier_awards_it_by_email_with_the_expiry_of_its_validity(
    session, org, coordinator, now
):
    q = make_qualification(session, org, validity_months=12)
    person = make_user(session)
    made = quals.award(
        session, coordinator, q, email=person.email.upper(), awarded_on=date(2026, 1, 31),
        evidence="Certificate 123", now=now,
    )  # fmt: skip
    assert (made.user_id, made.expires_on, made.evidence) == (
        person.id,
        date(2027, 1, 31),
        "Certificate 123",
    )
    assert made.awarded_by_id == coordinator.id
    assert _actions(session, made) == ["award.created"]


def test_a_qualification_without_validity_never_expires(session, org, coordinator, now):
    q = make_qualification(session, org, validity_months=None)
    made = quals.award(
        session, coordinator, q, user_id=make_user(session).id, awarded_on=TODAY, now=now
    )
    assert made.expires_on is None


def test_nobody_unknown_inactive_or_deleted_is_awarded_and_all_get_the_same_answer(
    session, org, coordinator, now
):
    q = make_qualification(session, org)
    inactive = make_user(session, is_active=False)
    deleted = make_user(session, deleted_at=now)
    answers = [
        _errors(
            lambda e=e: quals.award(session, coordinator, q, email=e, awarded_on=TODAY, now=now)
        )
        for e in ("nobody@example.org", inactive.email, deleted.email)
    ]
    assert answers[0] == answers[1] == answers[2] == {"email": [str(quals.NOBODY_TO_AWARD)]}
    for uid in (inactive.id, deleted.id, 10**15, -1):
        assert "user_id" in _errors(
            lambda u=uid: quals.award(session, coordinator, q, user_id=u, awarded_on=TODAY, now=now)
        )
    assert session.scalars(select(QualificationAward)).all() == []


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TODAY + timedelta(days=1), "in the future"),
        (date(1999, 12, 31), "before 1 January 2000"),
        (None, "as a date"),
    ],
)
def test_the_award_day_is_neither_future_nor_before_2000(
    session, org, coordinator, now, day, words
):
    q = make_qualification(session, org)
    errors = _errors(
        lambda: quals.award(
            session, coordinator, q, user_id=make_user(session).id, awarded_on=day, now=now
        )
    )
    assert words in errors["awarded_on"][0]


def test_today_in_the_organisation_s_zone_is_accepted(session, coordinator, now):
    far_east = make_org(session, timezone="Pacific/Kiritimati")  # UTC+14: already tomorrow
    add = make_member(session, far_east, Role.COORDINATOR)
    q = make_qualification(session, far_east)
    made = quals.award(
        session,
        add,
        q,
        user_id=make_user(session).id,
        awarded_on=TODAY + timedelta(days=1),
        now=now,
    )
    assert made.awarded_on == TODAY + timedelta(days=1)


def test_evidence_is_at_most_500_characters(session, org, coordinator, now):
    q = make_qualification(session, org)
    errors = _errors(
        lambda: quals.award(
            session, coordinator, q, user_id=make_user(session).id, awarded_on=TODAY,
            evidence="x" * 501, now=now,
        )
    )  # fmt: skip
    assert "500" in errors["evidence"][0]


def test_only_its_verifiers_award_it(session, org, now):
    q = make_qualification(session, org)
    person = make_user(session)
    for actor in (
        make_member(session, org, Role.MEMBER),
        make_user(session),
        make_member(session, make_org(session), Role.COORDINATOR),
    ):
        with pytest.raises(NotAllowed):
            quals.award(session, actor, q, user_id=person.id, awarded_on=TODAY, now=now)


def test_a_lead_agency_qualification_is_awarded_by_that_agency_s_staff(
    session, org, coordinator, now
):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    q = make_qualification(session, org, verifier=Verifier.LEAD_AGENCY, programme_id=programme.id)
    staff = make_member(session, agency, Role.STAFF)
    assert quals.award(
        session, staff, q, user_id=make_user(session).id, awarded_on=TODAY, now=now
    ).id
    with pytest.raises(NotAllowed):
        quals.award(
            session, coordinator, q, user_id=make_user(session).id, awarded_on=TODAY, now=now
        )


def test_an_archived_qualification_cannot_be_awarded(session, org, coordinator, now):
    q = make_qualification(session, org, archived_at=now)
    with pytest.raises(Conflict):
        quals.award(
            session, coordinator, q, user_id=make_user(session).id, awarded_on=TODAY, now=now
        )


def test_an_award_is_revoked_once_and_audited(session, org, coordinator, now):
    q = make_qualification(session, org)
    made = make_award(session, make_user(session), q)
    quals.revoke(session, coordinator, made, now=now)
    assert made.revoked_at == now and made.revoked_by_id == coordinator.id
    with pytest.raises(Conflict):
        quals.revoke(session, coordinator, made, now=now)
    assert _actions(session, made) == ["award.revoked"]
    with pytest.raises(NotAllowed):
        quals.revoke(session, made.holder, make_award(session, made.holder, q), now=now)


# --- holders and a person's own -----------------------------------------------------------


def test_holders_show_each_award_s_state_today(session, org, coordinator, now):
    q = make_qualification(session, org, validity_months=12)
    valid = make_award(session, make_user(session), q, awarded_on=TODAY - timedelta(days=10))
    soon = make_award(session, make_user(session), q, awarded_on=date(2025, 7, 1))  # ends 1 Jul
    expired = make_award(
        session, make_user(session), q, awarded_on=date(2025, 6, 13)
    )  # ended today
    revoked = make_award(session, make_user(session), q, awarded_on=TODAY, revoked_at=now)
    page = quals.list_holders(session, coordinator, q, now=now)
    states = {h.award.id: h.state for h in page.items}
    assert states == {
        valid.id: AwardState.VALID,
        soon.id: AwardState.EXPIRING,
        expired.id: AwardState.EXPIRED,
        revoked.id: AwardState.REVOKED,
    }
    assert page.items[0].award.id == revoked.id  # the newest award first
    assert quals.list_holders(session, coordinator, q, now=now, per_page=2).total == 4


def test_holders_are_for_verifiers_only(session, org, now):
    q = make_qualification(session, org)
    holder = make_user(session)
    make_award(session, holder, q)
    for actor in (None, holder, make_member(session, org, Role.MEMBER)):
        with pytest.raises((NotAllowed, NotFound)):
            quals.list_holders(session, actor, q, now=now)


def test_a_person_sees_all_their_awards_newest_first(session, org, now):
    person = make_user(session)
    old = make_award(session, person, make_qualification(session, org), awarded_on=date(2020, 1, 1))
    new = make_award(session, person, make_qualification(session), awarded_on=TODAY)
    make_award(session, make_user(session), old.qualification)
    mine = quals.my_awards(session, person, now=now)
    assert [(h.award.id, h.state) for h in mine] == [
        (new.id, AwardState.VALID),
        (old.id, AwardState.EXPIRED),
    ]
    assert quals.get_award(session, person, old.id) is old
    with pytest.raises(NotFound):
        quals.get_award(session, make_user(session), old.id)


def test_skills_are_set_normalised_and_replaced(session):
    person = make_user(session)
    assert quals.set_skills(session, person, " Cooking, first   AID,cooking,") == [
        "cooking",
        "first aid",
    ]
    assert quals.my_skills(session, person) == ["cooking", "first aid"]
    assert quals.set_skills(session, person, ["Driving"]) == ["driving"]
    assert quals.my_skills(session, person) == ["driving"]
    assert "skills" in _errors(lambda: quals.set_skills(session, person, "x" * 41))
    assert quals.my_skills(session, person) == ["driving"]


def test_the_invitation_choice_is_kept(session):
    person = make_user(session)
    quals.update_my_profile(session, person, skills="", open_to_invitations=True)
    assert person.open_to_invitations is True
    quals.update_my_profile(session, person, skills="", open_to_invitations=False)
    assert person.open_to_invitations is False


# --- tasks: required, trained, skills -----------------------------------------------------


@pytest.fixture
def sw(session):
    world = ShiftWorld(session, status=TaskStatus.DRAFT)
    add_partner(session, world.programme, world.nonprofit)
    return world


def test_a_task_requires_and_trains_offered_qualifications(session, sw):
    by_agency = make_qualification(session, sw.agency, name="Agency check")
    by_coordinator = make_qualification(session, sw.nonprofit, name="Kitchen")
    partner = make_org(session)
    add_partner(session, sw.programme, partner)
    by_partner = make_qualification(session, partner, name="Partner course")
    offered = quals.offered_for_task(session, sw.programme, sw.nonprofit.id)
    assert {q.id for q in offered} >= {by_agency.id, by_coordinator.id, by_partner.id}
    task = tasks.create_task(
        session, sw.lead_staff, sw.programme, title="Kitchen",
        required_qualification_ids=[by_agency.id, by_coordinator.id],
        trains_qualification_id=by_partner.id, skills="Cooking, cooking",
        coordinating_organisation_id=sw.nonprofit.id,
    )  # fmt: skip
    assert {q.id for q in task.required_qualifications} == {by_agency.id, by_coordinator.id}
    assert task.trains_qualification_id == by_partner.id
    assert [s.tag for s in task.skills] == ["cooking"]
    tasks.update_task(
        session, sw.lead_staff, task, description="", location="",
        required_qualification_ids=[], trains_qualification_id=None, skills="driving",
    )  # fmt: skip
    assert task.required_qualifications == [] and task.trains_qualification_id is None
    assert [s.tag for s in task.skills] == ["driving"]


def test_a_task_refuses_archived_and_foreign_qualifications(session, sw):
    archived = make_qualification(session, sw.agency, archived_at=sw.task.created_at)
    foreign = make_qualification(session, make_org(session))
    for field, values in [
        ("required_qualification_ids", {"required_qualification_ids": [archived.id]}),
        ("required_qualification_ids", {"required_qualification_ids": [foreign.id]}),
        ("required_qualification_ids", {"required_qualification_ids": [10**20]}),
        ("trains_qualification_id", {"trains_qualification_id": foreign.id}),
        ("trains_qualification_id", {"trains_qualification_id": archived.id}),
    ]:
        errors = _errors(
            lambda v=values: tasks.update_task(
                session, sw.lead_staff, sw.task, description="", location="", **v
            )
        )
        assert "offered" in errors[field][0]
    assert sw.task.required_qualifications == []


def test_a_requirement_archived_since_may_stay_on_the_task(session, sw, now):
    q = make_qualification(session, sw.agency, required_by=sw.task)
    q.archived_at = now
    tasks.update_task(
        session, sw.lead_staff, sw.task, description="", location="",
        required_qualification_ids=[q.id],
    )  # fmt: skip
    assert sw.task.required_qualifications == [q]


def test_only_lead_staff_change_a_task_s_qualifications(session, sw):
    q = make_qualification(session, sw.agency)
    with pytest.raises(NotAllowed):
        tasks.update_task(
            session, sw.coordinator, sw.task, description="", location="",
            required_qualification_ids=[q.id],
        )  # fmt: skip
