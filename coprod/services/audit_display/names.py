"""The kinds of object and the fields the audit log records, in words."""

from __future__ import annotations

from coprod.i18n import _l
from coprod.services.audit_display._common import _words

OBJECT_NAMES = {
    "ApiToken": _l("API token"),
    "ContributionLog": _l("Contribution log"),
    "Feedback": _l("Feedback on a task"),
    "Membership": _l("Membership"),
    "Metric": _l("Shared objective"),
    "Organisation": _l("Organisation"),
    "ServiceLetter": _l("Service letter"),
    "OutboxMessage": _l("Email"),
    "Partner": _l("Programme partner"),
    "PilotEvaluation": _l("Pilot evaluation"),
    "Programme": _l("Programme"),
    "QualificationAward": _l("Qualification award"),
    "Proposal": _l("Proposal"),
    "Shift": _l("Shift"),
    "Signup": _l("Sign-up"),
    "Task": _l("Task"),
    "TaskInterest": _l("Interest in a task"),
    "User": _l("Account"),
    # Partnership agreements (issue #18).
    "Agreement": _l("Partnership agreement version"),
    "AgreementAnswer": _l("Answer to a partnership agreement"),
    "Decision": _l("Partnership decision"),
    "DecisionVote": _l("Vote on a decision"),
}


# The fields recorded before and after a change, in words (a field missing here is shown
# from its name: "starts_at" → "Starts at").
FIELD_NAMES = {
    "api_tokens_revoked": _l("Api tokens revoked"),
    # Pilots (issue 18)
    "built_at": _l("Built at"),
    "comparison": _l("Comparison"),
    "control_programme": _l("Control programme"),
    "control_task": _l("Control task"),
    "decision": _l("Decision"),
    "lessons": _l("Lessons learned"),
    "measured_metrics": _l("Metrics the pilot should move"),
    "assigned_by_id": _l("Assigned by id"),
    "capacity": _l("Capacity"),
    "commitments": _l("Commitments"),
    "coordinating_organisation_id": _l("Coordinating organisation id"),
    "corrects_id": _l("Corrects id"),
    "count": _l("Count"),
    "counted_changed_at": _l("Counted changed at"),
    "currency": _l("Currency"),
    "date": _l("Date"),
    "declined_at": _l("Declined at"),
    "description": _l("Description"),
    "display_name": _l("Display name"),
    "email": _l("Email"),
    "ends_at": _l("Ends at"),
    "ends_on": _l("Ends on"),
    "evaluation_ends_on": _l("Evaluation ends on"),
    "evaluation_starts_on": _l("Evaluation starts on"),
    "first": _l("First"),
    "flag_id": _l("Report id"),
    "flags_resolved": _l("Reports resolved"),
    "from_task_id": _l("From task id"),
    "hidden_at": _l("Hidden at"),
    "hidden_by_id": _l("Hidden by id"),
    "hidden_reason": _l("Reason for hiding"),
    "hourly_rate": _l("Hourly rate"),
    "hours": _l("Hours"),
    "hypothesis": _l("Hypothesis"),
    "in_kind": _l("In kind"),
    "is_active": _l("Is active"),
    "is_pilot": _l("Is pilot"),
    "is_site_admin": _l("Is site admin"),
    "kind": _l("Kind"),
    "language": _l("Language"),
    "location": _l("Location"),
    "metric_ids": _l("Metric ids"),
    "name": _l("Name"),
    "notes": _l("Notes"),
    "ongoing": _l("Ongoing"),
    "organisation_id": _l("Organisation id"),
    "outcome": _l("Outcome"),
    "outcomes": _l("Outcomes"),
    "pending_email": _l("Pending email"),
    "phone": _l("Phone"),
    "places_released": _l("Places released"),
    "programme_id": _l("Programme id"),
    "public": _l("Public"),
    "queued_at": _l("Queued at"),
    "rating": _l("Rating"),
    "reason": _l("Reason"),
    "review_comment": _l("Review comment"),
    "reviewed_at": _l("Reviewed at"),
    "reviewed_by_id": _l("Reviewed by id"),
    "revoked_at": _l("Revoked at"),
    "role": _l("Role"),
    "roles": _l("Roles"),
    "series_id": _l("Series id"),
    "shift_id": _l("Shift id"),
    "shift_ids": _l("Shift ids"),
    "signups_ended": _l("Signups ended"),
    "skipped": _l("Skipped"),
    "starts_at": _l("Starts at"),
    "starts_on": _l("Starts on"),
    "status": _l("Status"),
    "subject": _l("Subject"),
    "target": _l("Target"),
    "target_date": _l("Target date"),
    "task_id": _l("Task id"),
    "timezone": _l("Timezone"),
    "title": _l("Title"),
    "to": _l("To"),
    "unit": _l("Unit"),
    "until": _l("Until"),
    "user_id": _l("User id"),
    "verified_at": _l("Verified at"),
    "weeks": _l("Weeks"),
    "with_comment": _l("With a comment"),
    # Partnership agreements (issue #18).
    "accepted": _l("Accepted"),
    "agreement_id": _l("Agreement id"),
    "comment": _l("Comment"),
    "decision_rule": _l("Decision rule"),
    "partners": _l("Partners"),
    "purpose": _l("Purpose"),
    "responsibilities": _l("Responsibilities"),
    "review_on": _l("Review date"),
    "version": _l("Version"),
    # shared decisions
    "question": _l("Question"),
    "rule": _l("Decision rule"),
    "closes_at": _l("Closes at"),
    "closed_at": _l("Closed at"),
    "options": _l("Options"),
    "option_id": _l("Option id"),
    "chosen_option_id": _l("Chosen option id"),
    "votes": _l("Votes"),
    "entitled": _l("Organisations entitled to vote"),
}


# Partners' commitments as figures (issue 18, coprod.services.governance.commitments).
OBJECT_NAMES["Commitment"] = _l("Commitment figure")
FIELD_NAMES.update(
    {
        "amount": _l("Amount"),
        "due_on": _l("Due on"),
        "metric_id": _l("Objective id"),
        "partner_id": _l("Partner id"),
        "period": _l("Per"),
    }
)


def object_name(object_type: str) -> str:
    """ "ContributionLog" → "Contribution log"."""
    name = OBJECT_NAMES.get(object_type)
    return str(name) if name is not None else object_type


def field_name(field: str) -> str:
    """ "starts_at" → "Starts at"."""
    name = FIELD_NAMES.get(field)
    return str(name) if name is not None else _words(field)
