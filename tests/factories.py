"""Plain factory functions: build what a test needs, with the parents it needs, and flush."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import count
from typing import Any

from sqlalchemy import func, select

from coprod.models import (
    Agreement,
    AwardSource,
    Commitment,
    CommitmentKind,
    ContributionLog,
    Decision,
    DecisionOption,
    DecisionRule,
    Feedback,
    LogStatus,
    Membership,
    Metric,
    NotificationKind,
    Organisation,
    OrgKind,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PeriodKind,
    Programme,
    Proposal,
    ProposalStatus,
    Qualification,
    QualificationAward,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
    Verifier,
)
from coprod.services import task_figures
from coprod.services.capacity import expires_on_for
from coprod.services.passwords import hash_password
from tests.conftest import NOW

PASSWORD = "correct horse battery"
_seq = count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _n() -> int:
    return next(_seq)


def make_user(session: Any, **overrides: Any) -> User:
    n = _n()
    fields: dict[str, Any] = {
        "email": f"user{n}@example.org",
        "display_name": f"User {n}",
        "password_hash": _password_hash(),
        "email_confirmed_at": NOW,
    }
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    session.flush()
    return user


def make_org(
    session: Any, kind: OrgKind = OrgKind.NONPROFIT, *, verified: bool = True, **overrides: Any
) -> Organisation:
    fields: dict[str, Any] = {
        "name": f"Org {_n()}",
        "kind": kind,
        "verified_at": NOW if verified else None,
    }
    fields.update(overrides)
    org = Organisation(**fields)
    session.add(org)
    session.flush()
    return org


def add_role(session: Any, user: User, org: Organisation, *roles: Role) -> User:
    for role in roles or (Role.MEMBER,):
        session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.flush()
    session.refresh(user, ["memberships"])
    return user


def make_member(session: Any, org: Organisation, *roles: Role, **overrides: Any) -> User:
    return add_role(session, make_user(session, **overrides), org, *roles)


def make_programme(session: Any, lead: Organisation | None = None, **overrides: Any) -> Programme:
    lead = lead or make_org(session, OrgKind.AGENCY)
    fields: dict[str, Any] = {
        "name": f"Programme {_n()}",
        "lead_organisation_id": lead.id,
        "starts_on": date(2026, 1, 1),
        "hourly_rate": Decimal("30.00"),
    }
    fields.update(overrides)
    programme = Programme(**fields)
    session.add(programme)
    session.flush()
    return programme


def add_partner(
    session: Any,
    programme: Programme,
    org: Organisation,
    role: str = "Delivery",
    commitments: str = "",
) -> Partner:
    partner = Partner(
        programme_id=programme.id, organisation_id=org.id, role=role, commitments=commitments
    )
    session.add(partner)
    session.flush()
    return partner


def make_metric(session: Any, programme: Programme | None = None, **overrides: Any) -> Metric:
    programme = programme or make_programme(session)
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "name": f"Meals {_n()}",
        "unit": "meals",
        "target": Decimal("1000"),
        "target_date": date(2026, 12, 31),
    }
    fields.update(overrides)
    metric = Metric(**fields)
    session.add(metric)
    session.flush()
    return metric


def make_task(
    session: Any,
    programme: Programme | None = None,
    *,
    status: TaskStatus = TaskStatus.OPEN,
    **overrides: Any,
) -> Task:
    programme = programme or make_programme(session)
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "title": f"Task {_n()}",
        "description": "Help out.",
        "location": "Town hall",
        "status": status,
        # Made before the logs tests date (a log without a shift is not dated before it).
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    task = Task(**fields)
    session.add(task)
    session.flush()
    return task


# Factories write shifts and seats directly, so they keep the task list's figures themselves,
# as of a time before every test's clock: a shift that has started by the test's `now` leaves
# the row stale, which the list reads afresh, so the list is right whatever `now` a test uses.
FIGURES_AS_OF = datetime(2000, 1, 1, tzinfo=UTC)


def keep_figures(session: Any, task_id: int) -> None:
    """Keep the task's list figures after a factory changed its shifts or seats."""
    task_figures.refresh(session, [task_id], FIGURES_AS_OF)


def make_shift(
    session: Any,
    task: Task | None = None,
    *,
    capacity: int = 5,
    starts_at: datetime | None = None,
    hours: float = 3,
    **overrides: Any,
) -> Shift:
    task = task or make_task(session)
    starts = starts_at or NOW + timedelta(days=7)
    fields: dict[str, Any] = {
        "task_id": task.id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=hours),
        "capacity": capacity,
    }
    fields.update(overrides)
    shift = Shift(**fields)
    session.add(shift)
    session.flush()
    keep_figures(session, task.id)
    return shift


def make_signup(
    session: Any,
    shift: Shift | None = None,
    user: User | None = None,
    *,
    status: SignupStatus = SignupStatus.CONFIRMED,
    **overrides: Any,
) -> Signup:
    shift = shift or make_shift(session)
    user = user or make_user(session)
    signup = Signup(shift_id=shift.id, user_id=user.id, status=status, **overrides)
    if status in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
        shift.confirmed += 1
    session.add(signup)
    session.flush()
    keep_figures(session, shift.task_id)
    return signup


def make_past_volunteer(session: Any, programme: Programme, user: User) -> Signup:
    """Give the user a sign-up of their own (attended, last month) on a task of the programme:
    someone its coordinators may assign from now on."""
    task = make_task(session, programme)
    shift = make_shift(session, task, starts_at=NOW - timedelta(days=30))
    return make_signup(session, shift, user, status=SignupStatus.ATTENDED)


def make_held_shift(
    session: Any,
    task: Task,
    user: User,
    *,
    starts_at: datetime | None = None,
    hours: float = 3,
    status: SignupStatus = SignupStatus.ATTENDED,
) -> Shift:
    """A shift of the task that has started (the day before NOW unless told) and that the
    user held: a shift they may log hours for, dated its local day (`shift_day`)."""
    shift = make_shift(session, task, starts_at=starts_at or NOW - timedelta(days=1), hours=hours)
    make_signup(session, shift, user, status=status)
    return shift


def make_log(
    session: Any,
    *,
    user: User | None = None,
    task: Task | None = None,
    status: LogStatus = LogStatus.SUBMITTED,
    hours: str | Decimal = "2",
    on: date | None = None,
    **overrides: Any,
) -> ContributionLog:
    task = task or make_task(session)
    user = user or make_user(session)
    fields: dict[str, Any] = {
        "user_id": user.id,
        "created_by_id": user.id,
        "task_id": task.id,
        "programme_id": task.programme_id,
        "date": on or NOW.date(),
        "hours": Decimal(str(hours)),
        "status": status,
    }
    if status == LogStatus.APPROVED:
        fields["counted_changed_at"] = NOW
    fields.update(overrides)
    log = ContributionLog(**fields)
    session.add(log)
    session.flush()
    return log


class ShiftWorld:
    """A task of an agency's programme, coordinated by a nonprofit, with the people around it:
    the lead agency's staff, the nonprofit's coordinator, a coordinator of an unrelated
    nonprofit, two volunteers, and one shift (capacity 2 unless told) starting at `starts_at`."""

    def __init__(
        self,
        session: Any,
        *,
        capacity: int = 2,
        starts_at: datetime | None = None,
        status: TaskStatus = TaskStatus.OPEN,
    ) -> None:
        self.agency = make_org(session, OrgKind.AGENCY)
        self.nonprofit = make_org(session)
        self.other_org = make_org(session)
        self.programme = make_programme(session, self.agency)
        self.task = make_task(
            session,
            self.programme,
            status=status,
            coordinating_organisation_id=self.nonprofit.id,
        )
        self.shift = make_shift(session, self.task, capacity=capacity, starts_at=starts_at)
        self.lead_staff = make_member(session, self.agency, Role.STAFF)
        self.coordinator = make_member(session, self.nonprofit, Role.COORDINATOR)
        self.other_coordinator = make_member(session, self.other_org, Role.COORDINATOR)
        self.volunteer = make_user(session)
        self.other_volunteer = make_user(session)


def make_proposal(
    session: Any,
    programme: Programme | None = None,
    *,
    status: ProposalStatus = ProposalStatus.OPEN,
    **overrides: Any,
) -> Proposal:
    """A citizen's proposal for the programme (by a new person unless told); an answered one
    carries an answer, answered the day before NOW unless told."""
    programme = programme or make_programme(session)
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "title": f"Proposal {_n()}",
        "what": "Clear the path by the canal.",
        "status": status,
    }
    if "author_id" not in overrides:
        fields["author_id"] = make_user(session).id
    if status not in (ProposalStatus.OPEN, ProposalStatus.UNDER_REVIEW):
        fields["answer"] = "Thank you: we looked at it."
        fields["answered_at"] = NOW - timedelta(days=1)
    fields.update(overrides)
    proposal = Proposal(**fields)
    session.add(proposal)
    session.flush()
    return proposal


def make_feedback(
    session: Any,
    task: Task | None = None,
    user: User | None = None,
    *,
    rating: int = 4,
    **overrides: Any,
) -> Feedback:
    """A volunteer's rating of a task, given on NOW's day unless told (`date`)."""
    task = task or make_task(session)
    user = user or make_user(session)
    fields: dict[str, Any] = {
        "programme_id": task.programme_id,
        "task_id": task.id,
        "user_id": user.id,
        "rating": rating,
        "date": NOW.date(),
        "changed_at": NOW,
    }
    fields.update(overrides)
    feedback = Feedback(**fields)
    session.add(feedback)
    session.flush()
    return feedback


# --- moderation: items to flag and hide (named apart from the proposals' own factories) ------


def make_flaggable_proposal(
    session: Any, programme: Programme | None = None, author: User | None = None, **overrides: Any
) -> Proposal:
    """A public proposal of the programme (which accepts proposals), by the author."""
    programme = programme or make_programme(session)
    programme.accepts_proposals = True
    author = author or make_user(session)
    fields: dict[str, Any] = {
        "author_id": author.id,
        "title": f"Idea {_n()}",
        "what": "Plant bulbs along the canal.",
        "created_at": NOW - timedelta(days=2),
    }
    return make_proposal(session, programme, **{**fields, **overrides})


def make_public_feedback(
    session: Any, task: Task | None = None, author: User | None = None, **overrides: Any
) -> Feedback:
    """A public rating and comment on the task (open unless told), by the author."""
    fields: dict[str, Any] = {
        "comment": f"Lovely morning {_n()}.",
        "public": True,
        "changed_at": NOW - timedelta(days=1),
    }
    return make_feedback(session, task, author, **{**fields, **overrides})


def make_outbox_message(session: Any, user: User | None = None, **overrides: Any) -> OutboxMessage:
    """An email to the person (a new one unless told) waiting in the outbox, unless told."""
    user = user or make_user(session)
    fields: dict[str, Any] = {
        "user_id": user.id,
        "recipient": user.email,
        "kind": NotificationKind.SIGNUP,
        "subject": "Signed up",
        "body_text": "Hello",
        "body_html": "<p>Hello</p>",
        "dedupe_key": f"test:{_n()}:{user.id}",
        "status": OutboxStatus.PENDING,
        "next_attempt_at": NOW,
        "created_at": NOW,
    }
    message = OutboxMessage(**{**fields, **overrides})
    session.add(message)
    session.flush()
    return message


def make_qualification(
    session: Any,
    org: Organisation | None = None,
    *,
    required_by: Task | None = None,
    **overrides: Any,
) -> Qualification:
    """A qualification its organisation's coordinators verify, valid 12 months unless told;
    `required_by` adds it to that task's requirements."""
    org = org or make_org(session, OrgKind.NONPROFIT)
    fields: dict[str, Any] = {
        "organisation_id": org.id,
        "name": f"Certificate {_n()}",
        "description": "A short course.",
        "how_to_get": "Attend our course.",
        "validity_months": 12,
        "verifier": Verifier.COORDINATORS,
    }
    fields.update(overrides)
    qualification = Qualification(**fields)
    session.add(qualification)
    session.flush()
    if required_by is not None:
        required_by.required_qualifications.append(qualification)
        session.flush()
    return qualification


def make_award(
    session: Any,
    user: User,
    qualification: Qualification,
    *,
    awarded_on: date | None = None,
    **overrides: Any,
) -> QualificationAward:
    """The user holds the qualification from `awarded_on` (a month before NOW unless told),
    expiring as its validity says unless `expires_on` is given."""
    awarded = awarded_on or (NOW - timedelta(days=30)).date()
    fields: dict[str, Any] = {
        "user_id": user.id,
        "qualification_id": qualification.id,
        "awarded_on": awarded,
        "expires_on": expires_on_for(qualification, awarded),
        "source": AwardSource.VERIFIED,
    }
    fields.update(overrides)
    award = QualificationAward(**fields)
    session.add(award)
    session.flush()
    return award


def make_agreement(session: Any, programme: Programme, **overrides: Any) -> Agreement:
    """The programme's next agreement version, published now, with its partners' terms as
    they stand (role, responsibilities, commitments; no figures)."""
    latest = session.scalar(
        select(func.max(Agreement.version)).where(Agreement.programme_id == programme.id)
    )
    version = (latest or 0) + 1
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "version": version,
        "purpose": "Deliver the service together.",
        "decision_rule": DecisionRule.MAJORITY,
        "terms": [
            {
                "organisation_id": p.organisation_id,
                "organisation_name": p.organisation.name,
                "role": p.role,
                "responsibilities": p.responsibilities,
                "commitments": p.commitments,
                "figures": [],
            }
            for p in programme.partners
        ],
        "published_at": NOW,
    }
    fields.update(overrides)
    agreement = Agreement(**fields)
    session.add(agreement)
    session.flush()
    return agreement


def make_commitment(session: Any, partner: Partner, **overrides: Any) -> Commitment:
    """40 volunteer hours a month from the partner unless told."""
    fields: dict[str, Any] = {
        "partner_id": partner.id,
        "kind": CommitmentKind.HOURS,
        "amount": Decimal("40"),
        "period": PeriodKind.MONTH,
    }
    fields.update(overrides)
    commitment = Commitment(**fields)
    session.add(commitment)
    session.flush()
    return commitment


def make_decision(
    session: Any,
    programme: Programme,
    *,
    options: tuple[str, ...] = ("Yes", "No"),
    **overrides: Any,
) -> Decision:
    """An open decision of the programme closing a week after NOW, by majority unless told."""
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "question": f"Shall we do it? {_n()}",
        "rule": DecisionRule.MAJORITY,
        "opened_at": NOW,
        "closes_at": NOW + timedelta(days=7),
    }
    fields.update(overrides)
    decision = Decision(**fields)
    decision.options = [
        DecisionOption(position=i, label=label) for i, label in enumerate(options, start=1)
    ]
    session.add(decision)
    session.flush()
    return decision
