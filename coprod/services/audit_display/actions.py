"""Every action the audit log records, in words."""

from __future__ import annotations

from coprod.i18n import _l
from coprod.services.audit_display._common import _words

# Every action the code records (tests/services/test_audit_display.py finds each
# `audit.record` in coprod/ and fails when one is missing here), in words.
ACTION_NAMES = {
    "letter.issued": _l("Issued a service letter"),
    "letter.revoked": _l("Revoked a service letter"),
    "api_token.created": _l("Created an API token"),
    "feedback.flagged": _l("Reported a public comment"),
    "feedback.flags_dismissed": _l("Dismissed the reports on a comment"),
    "feedback.hidden": _l("Hid a comment"),
    "feedback.restored": _l("Showed a hidden comment again"),
    "proposal.flagged": _l("Reported a proposal"),
    "proposal.flags_dismissed": _l("Dismissed the reports on a proposal"),
    "proposal.hidden": _l("Hid a proposal"),
    "proposal.restored": _l("Showed a hidden proposal again"),
    "api_token.revoked": _l("Revoked an API token"),
    "feedback.given": _l("Gave feedback on a task"),
    "log.submitted": _l("Logged hours for review"),
    "log.resubmitted": _l("Changed and resubmitted a log"),
    "log.correction_submitted": _l("Submitted a correction to an approved log"),
    "log.edited": _l("Changed a log before review"),
    "log.from_attendance": _l("Logged hours from attendance"),
    "log.approved": _l("Approved a log"),
    "log.rejected": _l("Rejected a log"),
    "log.changes_requested": _l("Asked for changes to a log"),
    "log.superseded": _l("Replaced a log by its approved correction"),
    "log.withdrawn": _l("Withdrew a log before review"),
    "log.withdrawn_no_show": _l("Withdrew a log: marked a no-show"),
    "membership.added": _l("Added a member to an organisation"),
    "membership.removed": _l("Removed a member from an organisation"),
    "membership.roles_changed": _l("Changed a member's roles"),
    "metric.added": _l("Added a shared objective"),
    "notifications.preferences": _l("Changed their email preferences"),
    "organisation.created": _l("Created an organisation"),
    "organisation.declined": _l("Declined an agency's verification"),
    "organisation.timezone_changed": _l("Changed an organisation's time zone"),
    "organisation.verified": _l("Verified an organisation"),
    "outbox.retry": _l("Sent a failed email again"),
    "partner.added": _l("Added a partner to a programme"),
    "partner.removed": _l("Removed a partner from a programme"),
    "programme.created": _l("Created a programme"),
    "proposal.answered": _l("Answered a proposal"),
    "proposal.created": _l("Proposed a task"),
    "proposal.support_withdrawn": _l("Withdrew their support for a proposal"),
    "proposal.supported": _l("Supported a proposal"),
    "qualification.created": _l("Defined a qualification"),
    "qualification.updated": _l("Changed a qualification"),
    "qualification.archived": _l("Archived a qualification"),
    "qualification.unarchived": _l("Offered a qualification again"),
    "award.created": _l("Awarded a qualification"),
    "award.revoked": _l("Revoked an award of a qualification"),
    "user.skills_set": _l("Set their skills"),
    "user.invitations_set": _l("Chose whether coordinators may invite them"),
    "programme.updated": _l("Changed a programme"),
    "shift.created": _l("Added a shift"),
    "shift.cancelled": _l("Cancelled a shift"),
    "shift.copied": _l("Copied shifts to another task"),
    "shift.deleted": _l("Deleted a shift"),
    "shift.moved_by_weeks": _l("Moved a task's shifts by weeks"),
    "shift.removed_from_series": _l("Removed a date from a weekly series"),
    "shift.roster_message": _l("Emailed a shift's volunteers"),
    "shift.series_created": _l("Added a weekly series of shifts"),
    "shift.updated": _l("Changed a shift"),
    "signup.assigned": _l("Assigned a volunteer to a shift"),
    "invitation.sent": _l("Invited a person to take a place on a shift"),
    "invitation.accepted": _l("Took a place on a shift they were invited to"),
    "signup.attendance": _l("Marked attendance"),
    "signup.cancelled": _l("Cancelled a sign-up"),
    "signup.cancelled_with_task": _l("Ended a sign-up with its cancelled task"),
    "signup.cancelled_with_shift": _l("Ended a sign-up with its cancelled shift"),
    "signup.created": _l("Signed up for a shift"),
    "signup.promoted": _l("Moved a volunteer up from the waitlist"),
    "signup.skipped": _l("Passed over a waitlisted volunteer who lacks a qualification"),
    "award.from_training": _l("Awarded a qualification for attending a training"),
    "award.revoked_no_show": _l("Withdrew a training's qualification: marked a no-show"),
    # Pilots (issue 18)
    "pilot.set_up": _l("Set up a pilot's measures and comparison"),
    "pilot.control_added": _l("Added a control to a pilot"),
    "pilot.control_removed": _l("Removed a control from a pilot"),
    "pilot.evaluation_built": _l("Built a pilot's evaluation"),
    "pilot.decision": _l("Recorded a pilot's decision and lessons"),
    "task.cancelled": _l("Cancelled a task"),
    "task.closed": _l("Closed a task to sign-ups"),
    "task.completed": _l("Marked a task completed"),
    "task.created": _l("Created a task"),
    "task.interest_added": _l("Said they are interested in an ongoing task"),
    "task.interest_removed": _l("Said they are no longer interested in a task"),
    "task.open": _l("Published a task"),
    "task.updated": _l("Changed a task"),
    "user.calendar_link_reset": _l("Reset their calendar link"),
    "user.anonymised_inactive": _l("Anonymised an account not used for years"),
    "user.deactivated": _l("Deactivated an account"),
    "user.deleted": _l("Deleted their account"),
    "user.deleted_by_admin": _l("Deleted an account on the person's request"),
    "user.email_change_cancelled": _l("Cancelled an email address change"),
    "user.email_changed": _l("Changed their email address"),
    "user.email_confirmed": _l("Confirmed their email address"),
    "user.made_site_admin": _l("Made a site admin"),
    "user.password_changed": _l("Changed their password"),
    "user.password_reset": _l("Reset their password with an emailed link"),
    "user.password_reset_requested": _l("Asked for a password-reset link"),
    "user.password_reset_sent": _l("Sent a password-reset link"),
    "user.profile_changed": _l("Changed their name, phone or language"),
    "user.reactivated": _l("Reactivated an account"),
    "user.register_attempt_on_existing": _l("Tried to register an address that has an account"),
    "user.registered": _l("Registered an account"),
    # Partnership agreements (issue #18).
    "agreement.published": _l("Published a version of a partnership agreement"),
    "agreement.answered": _l("Answered a partnership agreement for their organisation"),
    "agreement.answer_changed": _l("Changed their organisation's answer to an agreement"),
    "partner.edited": _l("Changed a partner's role, responsibilities or commitments"),
    # shared decisions (coprod.services.governance.decisions)
    "decision.opened": _l("Opened a decision for the partnership's vote"),
    "decision.voted": _l("Voted on a decision in an organisation's name"),
    "decision.vote_changed": _l("Changed an organisation's vote on a decision"),
    "decision.closed": _l("Closed a decision and recorded its result"),
}


# Partners' commitments as figures (issue 18, coprod.services.governance.commitments).
ACTION_NAMES.update(
    {
        "commitment.added": _l("Added a commitment figure to a partner"),
        "commitment.removed": _l("Removed a partner's commitment figure"),
    }
)


def action_name(action: str) -> str:
    """ "signup.created" → "Signed up for a shift" (an action missing from the list, say from
    an older version, is still shown in words)."""
    name = ACTION_NAMES.get(action)
    return str(name) if name is not None else _words(action)
