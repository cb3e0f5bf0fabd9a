"""Every permission rule of coprod, in one place.

`can(user, action, obj)` answers the question "may this user do this action on this object";
`require(...)` raises NotFound when the user may not even see the object and NotAllowed
otherwise. Services call `require` first; templates call `can` only to hide buttons.

Who may *see* what is decided twice here, side by side: a predicate for one object and its
query twin for lists (`visible_tasks(user)` beside `_task_view`, ...), a SQL condition that
read services put in their WHERE clause. tests/test_visibility.py checks that every
twin selects exactly the objects its predicate allows, for every kind of person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from coprod.errors import NotAllowed, NotFound
from coprod.i18n import _
from coprod.models import (
    Agreement,
    ContributionLog,
    Decision,
    Feedback,
    Membership,
    Organisation,
    OrgKind,
    Partner,
    Programme,
    Proposal,
    Qualification,
    QualificationAward,
    ReportSnapshot,
    Role,
    ServiceLetter,
    Shift,
    Signup,
    Task,
    TaskInterest,
    TaskStatus,
    User,
    Verifier,
)
from coprod.models.grants import grants_of

Actor = User | None
Column = InstrumentedAttribute[Any]

PUBLIC_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


# --- role helpers -------------------------------------------------------------------------


def _active(user: Actor) -> bool:
    return user is not None and user.is_active and user.deleted_at is None


def roles_in(user: Actor, organisation_id: int | None) -> set[Role]:
    """The roles the user holds in the organisation; an admin holds every role. (The roles
    come from `grants_of`: the signed-in person's are kept in memory per roles_version.)"""
    if not _active(user) or organisation_id is None:
        return set()
    assert user is not None
    return set(grants_of(user).roles.get(organisation_id, ()))


def has_role(user: Actor, organisation_id: int | None, role: Role) -> bool:
    return role in roles_in(user, organisation_id)


def org_ids_with_role(user: Actor, role: Role) -> set[int]:
    """Every organisation in which the user holds the role (admins hold all)."""
    if not _active(user) or user is None:
        return set()
    return {org_id for org_id, roles in grants_of(user).roles.items() if role in roles}


def is_site_admin(user: Actor) -> bool:
    return _active(user) and bool(user and user.is_site_admin)


def _lead_staff(user: Actor, programme: Programme) -> bool:
    return has_role(user, programme.lead_organisation_id, Role.STAFF)


def _programme_member(user: Actor, programme: Programme) -> bool:
    """A member of the lead agency or of any partner organisation (the partners are loaded
    only for someone who is not in the lead agency)."""
    if roles_in(user, programme.lead_organisation_id):
        return True
    return any(roles_in(user, p.organisation_id) for p in programme.partners)


def _task_coordinator(user: Actor, task: Task) -> bool:
    """A coordinator of the task's coordinating organisation, or its co-coordinator (the
    citizen whose accepted proposal it came from, when the agency added them)."""
    if has_role(user, task.coordinating_organisation_id, Role.COORDINATOR):
        return True
    return _active(user) and user is not None and task.co_coordinator_id == user.id


# --- the same helpers as SQL, for the query twins -----------------------------------------


def _in(column: Column, ids: set[int]) -> ColumnElement[bool]:
    """`column IN ids`, or plain false when there are none (no empty IN list)."""
    return column.in_(sorted(ids)) if ids else false()


def _led_by(programme_id: Column, user: Actor, role: Role) -> ColumnElement[bool]:
    """The programme (given by its id column) is led by an agency where the user holds role."""
    org_ids = org_ids_with_role(user, role)
    if not org_ids:
        return false()
    led = select(Programme.id).where(Programme.lead_organisation_id.in_(sorted(org_ids)))
    return programme_id.in_(led)


def _own(user: Actor, *columns: Column) -> ColumnElement[bool]:
    """One of the columns holds the (active) user's id."""
    if not _active(user) or user is None:
        return false()
    return or_(*(c == user.id for c in columns))


def _coordinated(user: Actor) -> ColumnElement[bool]:
    """Twin of _task_coordinator, on Task."""
    return _any(
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )


def _any(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """OR of the conditions that can hold (plain false when none can), so that a person with
    no role sends a short WHERE clause."""
    kept = [c for c in conditions if c is not false()]
    return or_(*kept) if kept else false()


# --- predicates, one per action -----------------------------------------------------------


def _org_view(user: Actor, org: Organisation) -> bool:
    """An organisation's page (name, kind, description) is public."""
    return True


def visible_organisations(user: Actor) -> ColumnElement[bool]:
    """Twin of org.view, on Organisation."""
    return true()


def _org_view_members(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR) or is_site_admin(user)


def visible_memberships(user: Actor) -> ColumnElement[bool]:
    """Twin of org.view_members, on Membership: the organisation's coordinators (and admins)
    and site admins see who belongs to it."""
    if is_site_admin(user):
        return true()
    return _in(Membership.organisation_id, org_ids_with_role(user, Role.COORDINATOR))


def _org_manage(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.ADMIN)


def _org_verify(user: Actor, org: Organisation) -> bool:
    return is_site_admin(user)


def _programme_create(user: Actor, org: Organisation) -> bool:
    return org.can_post and has_role(user, org.id, Role.STAFF)


def _programme_manage(user: Actor, programme: Programme) -> bool:
    return _lead_staff(user, programme) and programme.lead_organisation.can_post


def _posting_agencies(user: Actor) -> set[int]:
    """The verified agencies in which the user holds the staff role (who may post there)."""
    if not _active(user) or user is None:
        return set()
    grants = grants_of(user)
    return {org_id for org_id in grants.posting if Role.STAFF in grants.roles[org_id]}


def managed_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.manage, on Programme: those led by a verified agency where the user
    is staff."""
    return _in(Programme.lead_organisation_id, _posting_agencies(user))


def _programme_create_any(user: Actor, obj: Any) -> bool:
    """May create a programme led by some organisation (the "Create a programme" link)."""
    return bool(_posting_agencies(user))


def _programme_view(user: Actor, programme: Programme) -> bool:
    """A programme's page (partners, objectives, public impact) is public."""
    return True


def visible_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view, on Programme."""
    return true()


def _programme_view_reports(user: Actor, programme: Programme) -> bool:
    return _programme_member(user, programme) or is_site_admin(user)


def report_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view_reports, on Programme: members of the lead agency or of a partner
    organisation, and site admins."""
    if is_site_admin(user):
        return true()
    org_ids = sorted(org_ids_with_role(user, Role.MEMBER))
    if not org_ids:
        return false()
    partnered = select(Partner.programme_id).where(Partner.organisation_id.in_(org_ids))
    return or_(Programme.lead_organisation_id.in_(org_ids), Programme.id.in_(partnered))


def visible_reports(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view_reports, on ReportSnapshot: the snapshots of those programmes."""
    if is_site_admin(user):
        return true()
    readable = select(Programme.id).where(report_programmes(user))
    return ReportSnapshot.programme_id.in_(readable)


def _task_view(user: Actor, task: Task) -> bool:
    if task.status in PUBLIC_TASK_STATUSES:
        return True
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def visible_tasks(user: Actor) -> ColumnElement[bool]:
    """Twin of task.view, on Task: open, closed and completed tasks for everyone, drafts and
    cancelled tasks for the lead agency's staff and the task's coordinators."""
    return _any(
        Task.status.in_(PUBLIC_TASK_STATUSES),
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )


def _task_manage(user: Actor, task: Task) -> bool:
    return _programme_manage(user, task.programme)


def _task_edit_description(user: Actor, task: Task) -> bool:
    return _task_manage(user, task) or _task_coordinator(user, task)


def _task_interest(user: Actor, task: Task) -> bool:
    """Anyone signed in may say they are interested in a task they can see (the service checks
    that it is an open ongoing task)."""
    return _active(user) and _task_view(user, task)


def _task_view_interested(user: Actor, task: Task) -> bool:
    """The contact list of those interested (names, email, phone): the task's coordinators and
    the lead agency's staff."""
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def visible_task_interests(user: Actor) -> ColumnElement[bool]:
    """Twin of task.view_interested, on TaskInterest: the interests in the tasks whose
    programme the user's agency leads (as staff) or which their organisation coordinates."""
    run = _any(
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )
    return false() if run is false() else TaskInterest.task_id.in_(select(Task.id).where(run))


def _shift_sign_up(user: Actor, shift: Shift) -> bool:
    return _active(user) and shift.task.status == TaskStatus.OPEN


def _shift_assign(user: Actor, shift: Shift) -> bool:
    return _lead_staff(user, shift.task.programme) or _task_coordinator(user, shift.task)


def roster_shifts(user: Actor) -> ColumnElement[bool]:
    """Twin of shift.assign and shift.view_roster, on Shift: the shifts of the tasks whose
    programme the user's agency leads (as staff) or which their organisation coordinates."""
    run = _any(
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )
    return false() if run is false() else Shift.task_id.in_(select(Task.id).where(run))


def _signup_cancel(user: Actor, signup: Signup) -> bool:
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def _signup_attendance(user: Actor, signup: Signup) -> bool:
    return _shift_assign(user, signup.shift)


def _shift_view(user: Actor, shift: Shift) -> bool:
    return _task_view(user, shift.task)


def visible_shifts(user: Actor) -> ColumnElement[bool]:
    """Twin of shift.view, on Shift: the shifts of the tasks the user may see."""
    return Shift.task_id.in_(select(Task.id).where(visible_tasks(user)))


def _signup_view(user: Actor, signup: Signup) -> bool:
    """The volunteer themself, and those who run the shift's roster."""
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def visible_signups(user: Actor) -> ColumnElement[bool]:
    """Twin of signup.view, on Signup."""
    run = roster_shifts(user)
    rostered = false() if run is false() else Signup.shift_id.in_(select(Shift.id).where(run))
    return _any(_own(user, Signup.user_id), rostered)


def _log_for_org(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR)


def organisations_to_log_for(user: Actor) -> ColumnElement[bool]:
    """Twin of log.create_for_org, on Organisation: those the user coordinates."""
    return _in(Organisation.id, org_ids_with_role(user, Role.COORDINATOR))


def _log_view(user: Actor, log: ContributionLog) -> bool:
    if not _active(user) or user is None:
        return False
    if log.user_id == user.id or log.created_by_id == user.id:
        return True
    if log.organisation_id and has_role(user, log.organisation_id, Role.COORDINATOR):
        return True
    return _log_reviewer(user, log) or is_site_admin(user)


def visible_logs(user: Actor) -> ColumnElement[bool]:
    """Twin of log.view, on ContributionLog: one's own logs (made by or for them), those of
    the organisations one coordinates, those of the programmes one's agency leads (as
    reviewer), and every log for a site admin. (A log's programme_id is its task's.)"""
    if not _active(user):
        return false()
    if is_site_admin(user):
        return true()
    log = ContributionLog
    return _any(
        _own(user, log.user_id, log.created_by_id),
        _in(log.organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _led_by(log.programme_id, user, Role.REVIEWER),
    )


def _programme_review_logs(user: Actor, programme: Programme) -> bool:
    return has_role(user, programme.lead_organisation_id, Role.REVIEWER)


def reviewed_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.review_logs, on Programme: those led by the user's agencies, as
    their reviewer."""
    return _in(Programme.lead_organisation_id, org_ids_with_role(user, Role.REVIEWER))


def _log_reviewer(user: Actor, log: ContributionLog) -> bool:
    return _programme_review_logs(user, log.task.programme)


def _log_review(user: Actor, log: ContributionLog) -> bool:
    own = user is not None and user.id in (log.user_id, log.created_by_id)
    return _log_reviewer(user, log) and not own


def reviewable_logs(user: Actor) -> ColumnElement[bool]:
    """Twin of log.review, on ContributionLog: the logs of the programmes the user's agency
    leads, as its reviewer, except their own (whatever the log's status)."""
    reviewed = _led_by(ContributionLog.programme_id, user, Role.REVIEWER)
    if user is None or reviewed is false():
        return false()
    # NULL (an account deleted since) is nobody's: `NOT (user_id = :me)` alone would drop it.
    owners = (ContributionLog.user_id, ContributionLog.created_by_id)
    return and_(reviewed, *(or_(c.is_(None), c != user.id) for c in owners))


def _log_resubmit(user: Actor, log: ContributionLog) -> bool:
    return user is not None and _active(user) and user.id in (log.user_id, log.created_by_id)


LOGGABLE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


def _log_create(user: Actor, task: Task) -> bool:
    """Anyone signed in may log hours for a task they can see (the service checks its status)."""
    return _active(user) and _task_view(user, task)


def _log_review_queue(user: Actor, obj: Any) -> bool:
    """Reviewers of an agency (only agencies lead programmes, so a nonprofit's admin, who
    holds every role there, reviews nothing and gets no queue)."""
    if not _active(user) or user is None:
        return False
    grants = grants_of(user)
    return any(
        grants.kinds[org_id] == OrgKind.AGENCY and Role.REVIEWER in roles
        for org_id, roles in grants.roles.items()
    )


def _letter_create(user: Actor, obj: Any) -> bool:
    """Anyone signed in may ask for a letter of their own approved hours."""
    return _active(user)


def _letter_own(user: Actor, letter: ServiceLetter) -> bool:
    """A service letter is its holder's alone (a stranger checks it by its code, not here)."""
    return _active(user) and user is not None and letter.user_id == user.id


def own_letters(user: Actor) -> ColumnElement[bool]:
    """Twin of letter.view, on ServiceLetter: the user's own letters."""
    return _own(user, ServiceLetter.user_id)


def _audit_view(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


def _accounts_manage(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


def _account_export(user: Actor, person: User) -> bool:
    """A person downloads their own data, and nobody else's (a site admin answers a request
    by signing the person in to do it, not by downloading it for them)."""
    return _active(user) and user is not None and user.id == person.id


# --- community engagement -----------------------------------------------------------------


def _programme_propose(user: Actor, programme: Programme) -> bool:
    """Anyone signed in may propose a task for a programme that accepts proposals (the
    service also asks for a confirmed email address)."""
    return _active(user) and programme.accepts_proposals


def _programme_moderate(user: Actor, programme: Programme) -> bool:
    """The lead agency's staff answer proposals and moderate what is shown of the programme."""
    return _lead_staff(user, programme)


def moderated_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.moderate, on Programme."""
    return _led_by(Programme.id, user, Role.STAFF)


def _proposal_view(user: Actor, proposal: Proposal) -> bool:
    """A proposal is public until it is hidden; then its author and the lead agency's staff
    still see it (the author reads the reason)."""
    if proposal.hidden_at is None:
        return True
    own = _active(user) and user is not None and proposal.author_id == user.id
    return own or _lead_staff(user, proposal.programme)


def visible_proposals(user: Actor) -> ColumnElement[bool]:
    """Twin of proposal.view, on Proposal."""
    return _any(
        Proposal.hidden_at.is_(None),
        _own(user, Proposal.author_id),
        _led_by(Proposal.programme_id, user, Role.STAFF),
    )


def _proposal_support(user: Actor, proposal: Proposal) -> bool:
    """Anyone signed in may support a proposal they can see (the service checks it still
    waits for an answer and is not hidden)."""
    return _active(user) and _proposal_view(user, proposal)


def _proposal_answer(user: Actor, proposal: Proposal) -> bool:
    return _programme_moderate(user, proposal.programme)


def _feedback_give(user: Actor, task: Task) -> bool:
    """Anyone signed in may try; the service refuses (403) those who neither attended one of
    the task's shifts nor logged hours on it."""
    return _active(user) and _task_view(user, task)


def _task_view_feedback(user: Actor, task: Task) -> bool:
    """Every rating and comment on a task, with the authors' names: its coordinators and the
    lead agency's staff."""
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def _feedback_view(user: Actor, feedback: Feedback) -> bool:
    """A public comment that is not hidden is shown to everyone (without a name); the author
    sees their own; the task's organisers see all."""
    if feedback.public and feedback.hidden_at is None and _task_view(user, feedback.task):
        return True
    own = _active(user) and user is not None and feedback.user_id == user.id
    return own or _task_view_feedback(user, feedback.task)


def visible_feedback(user: Actor) -> ColumnElement[bool]:
    """Twin of feedback.view, on Feedback."""
    public = and_(
        Feedback.public.is_(True),
        Feedback.hidden_at.is_(None),
        Feedback.task_id.in_(select(Task.id).where(visible_tasks(user))),
    )
    run = _any(_led_by(Task.programme_id, user, Role.STAFF), _coordinated(user))
    organised = false() if run is false() else Feedback.task_id.in_(select(Task.id).where(run))
    return _any(public, _own(user, Feedback.user_id), organised)


def _feedback_flag(user: Actor, feedback: Feedback) -> bool:
    return _active(user) and _feedback_view(user, feedback)


def _feedback_moderate(user: Actor, feedback: Feedback) -> bool:
    return _lead_staff(user, feedback.task.programme)


# --- capacity building: qualifications and their awards -----------------------------------


def _org_manage_qualifications(user: Actor, org: Organisation) -> bool:
    """An organisation's coordinators (a nonprofit's) and staff (an agency's) define its
    qualifications."""
    return bool(roles_in(user, org.id) & {Role.COORDINATOR, Role.STAFF})


def _qualification_view(user: Actor, qualification: Qualification) -> bool:
    """What a qualification is and how to get it is public: tasks name what they require."""
    return True


def _qualification_verify(user: Actor, qualification: Qualification) -> bool:
    """Who awards the qualification, sees its holders and revokes awards: the defining
    organisation's coordinators, or the staff of the agency leading the chosen programme."""
    if qualification.verifier == Verifier.LEAD_AGENCY:
        programme = qualification.programme
        return programme is not None and _lead_staff(user, programme)
    return has_role(user, qualification.organisation_id, Role.COORDINATOR)


def verified_qualifications(user: Actor) -> ColumnElement[bool]:
    """Twin of qualification.verify, on Qualification."""
    q = Qualification
    conditions = []
    coordinators = _in(q.organisation_id, org_ids_with_role(user, Role.COORDINATOR))
    if coordinators is not false():
        conditions.append(and_(q.verifier == Verifier.COORDINATORS, coordinators))
    lead = _led_by(q.programme_id, user, Role.STAFF)
    if lead is not false():
        conditions.append(and_(q.verifier == Verifier.LEAD_AGENCY, lead))
    return _any(*conditions)


def _award_view(user: Actor, award: QualificationAward) -> bool:
    """An award is seen by its holder and the qualification's verifiers, nobody else."""
    own = _active(user) and user is not None and award.user_id == user.id
    return own or _qualification_verify(user, award.qualification)


def visible_awards(user: Actor) -> ColumnElement[bool]:
    """Twin of award.view, on QualificationAward."""
    verified = verified_qualifications(user)
    by_verifier = (
        false()
        if verified is false()
        else QualificationAward.qualification_id.in_(select(Qualification.id).where(verified))
    )
    return _any(_own(user, QualificationAward.user_id), by_verifier)


def _award_revoke(user: Actor, award: QualificationAward) -> bool:
    return _qualification_verify(user, award.qualification)


# --- shared governance: agreements, decisions, speaking for an organisation -----------------


def _org_speak_for(user: Actor, org: Organisation) -> bool:
    """Answer a partnership agreement and vote on a partnership decision in the organisation's
    name: its admins (the service checks the organisation takes part in the programme)."""
    return has_role(user, org.id, Role.ADMIN)


def spoken_for(user: Actor) -> set[int]:
    """Twin of org.speak_for, as the ids of the organisations the user may speak for."""
    return org_ids_with_role(user, Role.ADMIN)


def _agreement_view(user: Actor, agreement: Agreement) -> bool:
    """Every version of a programme's agreement and every partner's answer is read by all the
    partnership (the members of the lead agency and of every partner) and by site admins."""
    return _programme_view_reports(user, agreement.programme)


def visible_agreements(user: Actor) -> ColumnElement[bool]:
    """Twin of agreement.view, on Agreement."""
    if is_site_admin(user):
        return true()
    return Agreement.programme_id.in_(select(Programme.id).where(report_programmes(user)))


def _decision_view(user: Actor, decision: Decision) -> bool:
    """A partnership decision, its votes and their comments: the whole partnership, as the
    agreement."""
    return _programme_view_reports(user, decision.programme)


def visible_decisions(user: Actor) -> ColumnElement[bool]:
    """Twin of decision.view, on Decision."""
    if is_site_admin(user):
        return true()
    return Decision.programme_id.in_(select(Programme.id).where(report_programmes(user)))


RULES: dict[str, Callable[[Actor, Any], bool]] = {
    "org.view": _org_view,
    "org.view_members": _org_view_members,
    "org.manage": _org_manage,
    "org.verify": _org_verify,
    "programme.create": _programme_create,
    "programme.create_any": _programme_create_any,
    "programme.view": _programme_view,
    "programme.manage": _programme_manage,
    "programme.view_reports": _programme_view_reports,
    "programme.review_logs": _programme_review_logs,
    "task.view": _task_view,
    "task.manage": _task_manage,
    "task.edit_description": _task_edit_description,
    "task.interest": _task_interest,
    "task.view_interested": _task_view_interested,
    "shift.sign_up": _shift_sign_up,
    "shift.assign": _shift_assign,
    "shift.view_roster": _shift_assign,
    "signup.cancel": _signup_cancel,
    "signup.attendance": _signup_attendance,
    "shift.attendance": _shift_assign,
    "shift.view": _shift_view,
    "signup.view": _signup_view,
    "log.create_for_org": _log_for_org,
    "log.view": _log_view,
    "log.review": _log_review,
    "log.resubmit": _log_resubmit,
    "log.create": _log_create,
    "log.correct": _log_resubmit,
    "log.edit": _log_resubmit,
    "log.review_queue": _log_review_queue,
    "letter.create": _letter_create,
    "letter.view": _letter_own,
    "letter.revoke": _letter_own,
    "audit.view": _audit_view,
    "accounts.manage": _accounts_manage,
    "jobs.view": _accounts_manage,
    "outbox.view": _accounts_manage,
    "outbox.retry": _accounts_manage,
    "account.export": _account_export,
    "programme.propose": _programme_propose,
    "programme.moderate": _programme_moderate,
    "proposal.view": _proposal_view,
    "proposal.support": _proposal_support,
    "proposal.flag": _proposal_support,
    "proposal.answer": _proposal_answer,
    "proposal.hide": _proposal_answer,
    "feedback.give": _feedback_give,
    "task.view_feedback": _task_view_feedback,
    "feedback.view": _feedback_view,
    "feedback.flag": _feedback_flag,
    "feedback.hide": _feedback_moderate,
    "org.manage_qualifications": _org_manage_qualifications,
    "qualification.view": _qualification_view,
    "qualification.verify": _qualification_verify,
    "award.view": _award_view,
    "award.revoke": _award_revoke,
    "shift.view_candidates": _shift_assign,
    "shift.invite": _shift_assign,
    "org.speak_for": _org_speak_for,
    "agreement.view": _agreement_view,
    "decision.view": _decision_view,
}

# Where failing the check should look like the object does not exist (404), the action that
# decides visibility; everything else answers 403 once the object is visible.
VISIBILITY: dict[str, str] = {
    "org.view": "org.view",
    "programme.view": "programme.view",
    "task.view": "task.view",
    "shift.view": "shift.view",
    "signup.view": "signup.view",
    "log.view": "log.view",
    "task.manage": "task.view",
    "task.edit_description": "task.view",
    "task.interest": "task.view",
    "task.view_interested": "task.view",
    "shift.sign_up": "shift.view",
    "shift.assign": "shift.view",
    "shift.view_roster": "shift.view",
    "signup.cancel": "signup.view",
    "signup.attendance": "signup.view",
    "shift.attendance": "shift.view",
    "log.review": "log.view",
    "log.resubmit": "log.view",
    "log.correct": "log.view",
    "log.edit": "log.view",
    "log.create": "task.view",
    "letter.view": "letter.view",
    "letter.revoke": "letter.view",
    "proposal.view": "proposal.view",
    "proposal.support": "proposal.view",
    "proposal.flag": "proposal.view",
    "proposal.answer": "proposal.view",
    "proposal.hide": "proposal.view",
    "feedback.give": "task.view",
    "task.view_feedback": "task.view",
    "feedback.view": "feedback.view",
    "feedback.flag": "feedback.view",
    "feedback.hide": "feedback.view",
    "award.revoke": "award.view",
    "shift.view_candidates": "shift.view",
    "shift.invite": "shift.view",
    "agreement.view": "agreement.view",
    "decision.view": "decision.view",
}


def can(user: Actor, action: str, obj: Any = None) -> bool:
    """May this user do this action on this object? Unknown actions are denied."""
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Actor, action: str, obj: Any = None) -> None:
    """Raise NotFound if the user may not see the object, NotAllowed if they may not act."""
    if can(user, action, obj):
        return
    visibility = VISIBILITY.get(action)
    if visibility and not can(user, visibility, obj):
        raise NotFound(_("Not found."))
    raise NotAllowed(_("You are not allowed to do that."))


__all__ = [
    "can",
    "has_role",
    "is_site_admin",
    "managed_programmes",
    "moderated_programmes",
    "org_ids_with_role",
    "organisations_to_log_for",
    "own_letters",
    "report_programmes",
    "require",
    "reviewable_logs",
    "reviewed_programmes",
    "roles_in",
    "roster_shifts",
    "spoken_for",
    "verified_qualifications",
    "visible_agreements",
    "visible_awards",
    "visible_decisions",
    "visible_feedback",
    "visible_logs",
    "visible_memberships",
    "visible_organisations",
    "visible_programmes",
    "visible_proposals",
    "visible_reports",
    "visible_shifts",
    "visible_signups",
    "visible_task_interests",
    "visible_tasks",
]
