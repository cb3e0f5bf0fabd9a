"""Publishing versions of a partnership agreement and partners' answers to them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AgreementAnswer,
    AuditEntry,
    DecisionRule,
    NotificationKind,
    OutboxMessage,
    Role,
)
from coprod.services import partners
from coprod.services.governance import agreement_reads as reads
from coprod.services.governance import agreements, decision_rule
from coprod.services.governance.terms import describe_figure
from tests.agreement_world import build, publish
from tests.factories import add_role, make_member


@pytest.fixture
def world(session):
    return build(session)


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.errors


def _audit(session, action):
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _answer(session, world, who, org, now, *, accepted=True, comment="", agreement=None):
    agreement = agreement or reads.newest(session, who, world.programme)
    return agreements.answer(
        session, who, agreement, org, accepted=accepted, comment=comment, now=now
    )


def test_versions_are_numbered_one_after_another(session, world):
    first = publish(session, world)
    second = publish(session, world, decision_rule="consensus")
    assert (first.version, second.version) == (1, 2)
    assert decision_rule(session, world.programme) == DecisionRule.CONSENSUS


def test_a_version_snapshots_every_partner_with_its_figures(session, world):
    agreement = publish(session, world)
    terms = {t["organisation_name"]: t for t in agreement.terms}
    assert set(terms) == {"Riverside Food Bank", "Harbour Bakery"}
    food = terms["Riverside Food Bank"]
    assert food["organisation_id"] == world.foodbank.id
    assert (food["role"], food["responsibilities"], food["commitments"]) == (
        "Food sourcing",
        "Run the Saturday kitchen.",
        "Collect food.",
    )
    kinds = [(f["kind"], f["amount"], f["period"], f["unit"], f["due_on"]) for f in food["figures"]]
    assert kinds == [
        ("hours", "40.00", "month", None, None),
        ("outcome", "500.00", None, "meals", "2027-06-30"),
    ]
    assert terms["Harbour Bakery"]["figures"][0]["kind"] == "in_kind"


def test_a_published_version_keeps_its_terms_when_the_partner_changes(session, world):
    agreement = publish(session, world)
    partners.edit_partner(
        session, world.staff, world.food_partner, role="Cooking", responsibilities="",
        commitments="",
    )  # fmt: skip
    session.refresh(agreement)
    assert agreement.terms[1]["role"] == "Food sourcing"  # sorted: Harbour, Riverside
    assert publish(session, world).terms[1]["role"] == "Cooking"


def test_figures_read_as_words(world):
    assert describe_figure({"kind": "hours", "amount": "40.00", "period": "month"}, "GBP") == (
        "40 volunteer hours a month"
    )
    assert describe_figure({"kind": "in_kind", "amount": "200", "period": "quarter"}, "GBP") == (
        "£200.00 in kind a quarter"
    )
    outcome = {"kind": "outcome", "amount": "500.00", "unit": "meals", "due_on": "2027-06-30"}
    assert describe_figure(outcome, "GBP") == "500 meals by 30 June 2027"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"purpose": "  "}, "purpose"),
        ({"purpose": "x" * (agreements.MAX_PURPOSE + 1)}, "purpose"),
        ({"purpose": "a\x00b"}, "purpose"),
        ({"decision_rule": "dictator"}, "decision_rule"),
        ({"review_on": None}, "review_on"),
        ({"review_on": "2027-02-30"}, "review_on"),
        ({"review_on": "June"}, "review_on"),
        ({"review_on": date(2026, 6, 12)}, "review_on"),
        ({"review_on": date(2040, 1, 1)}, "review_on"),
        ({"review_on": date(9999, 1, 1)}, "review_on"),
    ],
)
def test_publishing_refuses_bad_values_and_changes_nothing(session, world, fields, field):
    assert field in _errors(lambda: publish(session, world, **fields))
    assert reads.newest(session, world.staff, world.programme) is None


def test_a_programme_without_partners_has_nothing_to_publish(session, world):
    for partner in list(world.programme.partners):
        partners.remove_partner(session, world.staff, partner)
    with pytest.raises(Conflict):
        publish(session, world)


def test_publishing_is_audited(session, world):
    agreement = publish(session, world)
    entry = _audit(session, "agreement.published")[-1]
    assert (entry.object_id, entry.actor_id) == (agreement.id, world.staff.id)
    assert entry.after["version"] == 1
    assert entry.after["partners"] == ["Harbour Bakery", "Riverside Food Bank"]


def test_each_partner_admin_gets_one_email_asking_for_an_answer(session, world):
    make_member(session, world.agency, Role.ADMIN)  # the lead agency's admin is not asked
    agreement = publish(session, world)
    agreements.ask_partners(session, agreement, now=agreement.published_at)  # not twice
    mails = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.AGREEMENT)
    ).all()
    assert sorted(m.user_id for m in mails) == sorted(
        [world.food_admin.id, world.food_admin2.id, world.bakery_admin.id]
    )
    assert f"/programmes/{world.programme.id}/agreement" in mails[0].body_text
    assert "version 1" in mails[0].subject


def test_only_lead_staff_publish(session, world):
    with pytest.raises(NotAllowed):
        agreements.publish(
            session, world.food_admin, world.programme, purpose="x", decision_rule="majority",
            review_on=date(2027, 1, 1), now=world.programme.created_at,
        )  # fmt: skip
    with pytest.raises(NotFound):
        agreements.publish(
            session, world.outsider_admin, world.programme, purpose="x",
            decision_rule="majority", review_on=date(2027, 1, 1), now=world.programme.created_at,
        )  # fmt: skip


def test_an_admin_accepts_in_the_organisations_name(session, world, now):
    publish(session, world)
    made = _answer(session, world, world.food_admin, world.foodbank, now)
    assert (made.accepted, made.comment, made.answered_by_id) == (True, "", world.food_admin.id)
    assert _audit(session, "agreement.answered")[-1].after["accepted"] is True


def test_an_objection_needs_a_comment(session, world, now):
    publish(session, world)
    errors = _errors(
        lambda: _answer(session, world, world.bakery_admin, world.bakery, now, accepted=False)
    )
    assert "comment" in errors
    too_long = "x" * (agreements.MAX_COMMENT + 1)
    assert "comment" in _errors(
        lambda: _answer(
            session, world, world.bakery_admin, world.bakery, now, accepted=False,
            comment=too_long,
        )
    )  # fmt: skip
    made = _answer(
        session, world, world.bakery_admin, world.bakery, now, accepted=False,
        comment="Friday collection at 7am is too early.",
    )  # fmt: skip
    assert made.comment == "Friday collection at 7am is too early."


def test_answering_again_changes_the_one_answer_and_is_audited(session, world, now):
    publish(session, world)
    _answer(session, world, world.food_admin, world.foodbank, now)
    later = now + timedelta(hours=1)
    changed = _answer(
        session, world, world.food_admin2, world.foodbank, later, accepted=False,
        comment="On reflection, no.",
    )  # fmt: skip
    rows = session.scalars(select(AgreementAnswer)).all()
    assert len(rows) == 1 and rows[0] is changed
    assert (changed.answered_by_id, changed.answered_at) == (world.food_admin2.id, later)
    entry = _audit(session, "agreement.answer_changed")[-1]
    assert entry.before["accepted"] is True
    assert entry.after == {
        "agreement_id": changed.agreement_id,
        "organisation_id": world.foodbank.id,
        "accepted": False,
        "comment": "On reflection, no.",
    }


def test_only_the_newest_version_can_be_answered(session, world, now):
    first = publish(session, world)
    publish(session, world)
    with pytest.raises(Conflict) as caught:
        _answer(session, world, world.food_admin, world.foodbank, now, agreement=first)
    assert "version 2" in caught.value.message


def test_only_admins_of_a_named_partner_answer(session, world, now):
    agreement = publish(session, world)
    with pytest.raises(NotAllowed):  # a member, not an admin
        _answer(session, world, world.food_member, world.foodbank, now, agreement=agreement)
    with pytest.raises(NotAllowed):  # an admin of another partner
        _answer(session, world, world.bakery_admin, world.foodbank, now, agreement=agreement)
    with pytest.raises(NotFound):  # outside the partnership
        _answer(session, world, world.outsider_admin, world.outsider_org, now, agreement=agreement)
    add_role(session, world.outsider_admin, world.agency)  # now in the partnership
    errors = _errors(
        lambda: _answer(
            session, world, world.outsider_admin, world.outsider_org, now, agreement=agreement
        )
    )
    assert "organisation_id" in errors


def test_a_partner_added_after_publishing_waits_for_the_next_version(session, world, now):
    from tests.factories import add_partner, make_org

    publish(session, world)
    late = make_org(session, name="Late Partner")
    add_partner(session, world.programme, late)
    admin = make_member(session, late, Role.ADMIN)
    session.expire(world.programme, ["partners"])
    assert "organisation_id" in _errors(lambda: _answer(session, world, admin, late, now))
    assert reads.waiting_for(session, admin) == []


def test_standings_say_who_accepted_which_version(session, world, now):
    publish(session, world)
    _answer(session, world, world.food_admin, world.foodbank, now)
    _answer(session, world, world.bakery_admin, world.bakery, now)
    second = publish(session, world)
    _answer(session, world, world.bakery_admin, world.bakery, now, accepted=False, comment="No.")
    found = reads.standings(session, world.programme, second)
    food, bakery = found[world.foodbank.id], found[world.bakery.id]
    assert (food.accepted_version, food.newest, food.newest_version) == (1, None, 2)
    assert (bakery.accepted_version, bakery.newest.accepted, bakery.newest.comment) == (
        1,
        False,
        "No.",
    )


def test_versions_list_newest_first_for_the_partnership_only(session, world):
    publish(session, world)
    publish(session, world)
    page = reads.list_versions(session, world.food_member, world.programme)
    assert [a.version for a in page.items] == [2, 1]
    assert reads.get_version(session, world.lead_member, world.programme, 1).version == 1
    with pytest.raises(NotFound):
        reads.get_version(session, world.lead_member, world.programme, 3)
    for person in (None, world.outsider_admin):
        with pytest.raises(NotFound):
            reads.list_versions(session, person, world.programme)
        with pytest.raises(NotFound):
            reads.get_agreement(session, person, page.items[0].id)


def test_waiting_for_lists_unanswered_newest_versions_of_my_organisations(session, world, now):
    assert reads.waiting_for(session, world.food_admin) == []
    publish(session, world)
    second = publish(session, world)
    waiting = reads.waiting_for(session, world.food_admin)
    assert [(w.agreement.id, w.organisation.id) for w in waiting] == [
        (second.id, world.foodbank.id)
    ]
    assert reads.waiting_for(session, world.food_member) == []
    assert reads.waiting_for(session, world.staff) == []
    _answer(session, world, world.food_admin2, world.foodbank, now)
    assert reads.waiting_for(session, world.food_admin) == []


def test_edit_partner_is_lead_staff_only_validated_and_audited(session, world):
    with pytest.raises(NotAllowed):
        partners.edit_partner(
            session, world.food_admin, world.food_partner, role="x", responsibilities="",
            commitments="",
        )  # fmt: skip
    errors = _errors(
        lambda: partners.edit_partner(
            session, world.staff, world.food_partner, role=" ", responsibilities="x" * 10_001,
            commitments="",
        )
    )  # fmt: skip
    assert set(errors) == {"role", "responsibilities"}
    partners.edit_partner(
        session, world.staff, world.food_partner, role="Cooking",
        responsibilities="Cook on Saturdays.", commitments="Collect food.",
    )  # fmt: skip
    entry = _audit(session, "partner.edited")[-1]
    assert entry.before["role"] == "Food sourcing"
    assert entry.after["responsibilities"] == "Cook on Saturdays."


def test_add_partner_takes_responsibilities(session, world):
    from tests.factories import make_org

    org = make_org(session)
    made = partners.add_partner(
        session, world.staff, world.programme, org, "Venue", "Open the hall.",
        responsibilities="Keep the hall clean.",
    )  # fmt: skip
    assert made.responsibilities == "Keep the hall clean."
