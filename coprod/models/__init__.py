"""All models, imported here so metadata is complete for Alembic and the app."""

from coprod.models.accounts import ApiToken, Membership, Role, User
from coprod.models.audit import AuditEntry
from coprod.models.capacity import (
    AwardSource,
    Qualification,
    QualificationAward,
    ShiftInvitation,
    TaskSkill,
    UserSkill,
    Verifier,
    task_qualification,
)
from coprod.models.contributions import ContributionLog, InKindItem, LogStatus, OutcomeQuantity
from coprod.models.engagement import (
    ContentFlag,
    Feedback,
    Proposal,
    ProposalStatus,
    ProposalSupport,
)
from coprod.models.exports import DataExport, ExportStatus
from coprod.models.governance import (
    Agreement,
    AgreementAnswer,
    Commitment,
    CommitmentKind,
    Decision,
    DecisionOption,
    DecisionOutcome,
    DecisionRule,
    DecisionVote,
    PilotControl,
    PilotDecision,
    PilotEvaluation,
)
from coprod.models.grants import Grants
from coprod.models.letters import ServiceLetter
from coprod.models.organisations import Organisation, OrgKind, Sector
from coprod.models.outbox import (
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from coprod.models.programmes import ComparisonKind, Metric, Partner, Programme
from coprod.models.reports import JobState, PeriodKind, ReportSnapshot
from coprod.models.tasks import (
    ACTIVE,
    SEATED,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskInterest,
    TaskStatus,
    task_metric,
)

__all__ = [
    "ACTIVE",
    "SEATED",
    "Agreement",
    "AgreementAnswer",
    "ApiToken",
    "AuditEntry",
    "AwardSource",
    "Commitment",
    "CommitmentKind",
    "ComparisonKind",
    "ContentFlag",
    "ContributionLog",
    "DataExport",
    "Decision",
    "DecisionOption",
    "DecisionOutcome",
    "DecisionRule",
    "DecisionVote",
    "ExportStatus",
    "Feedback",
    "Grants",
    "InKindItem",
    "JobState",
    "LogStatus",
    "Membership",
    "Metric",
    "NotificationKind",
    "NotificationPreference",
    "OrgKind",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "OutcomeQuantity",
    "Partner",
    "PeriodKind",
    "PilotControl",
    "PilotDecision",
    "PilotEvaluation",
    "Programme",
    "Proposal",
    "ProposalStatus",
    "ProposalSupport",
    "Qualification",
    "QualificationAward",
    "ReportSnapshot",
    "Role",
    "Sector",
    "ServiceLetter",
    "Shift",
    "ShiftInvitation",
    "Signup",
    "SignupStatus",
    "Task",
    "TaskInterest",
    "TaskSkill",
    "TaskStatus",
    "User",
    "UserSkill",
    "Verifier",
    "task_metric",
    "task_qualification",
]
