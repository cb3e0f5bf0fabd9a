"""What a person's data export holds: one entry per table, with its columns, a sentence for
the README and the query (in `rows`) that reads only rows about that person.

The list drives everything (the JSON, the CSV files, the README), so a new kind of personal
data is one more `ExportTable` here. Nothing about anyone else is written: where a row names
another person, only what coprod already shows the volunteer is kept (the reviewer's display
name on a reviewed log); other people's ids, emails and audit details are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coprod import models
from coprod.i18n import _l
from coprod.models import User
from coprod.services.audit import jsonable as plain
from coprod.services.exports import rows as r
from coprod.services.exports.rows import Row

if TYPE_CHECKING:
    from flask_babel import LazyString


@dataclass(frozen=True)
class ExportTable:
    name: str  # the file name without its extension
    about: LazyString  # one plain sentence for the README
    columns: tuple[str, ...]
    rows: Callable[[Session, User], list[Row]]


def table(name: str, about: LazyString, columns: str, rows: Any) -> ExportTable:
    return ExportTable(name, about, tuple(columns.split()), rows)


# Columns of a model's own rows that are secrets or plumbing, never exported.
HIDDEN_COLUMNS = frozenset({"password_hash", "token_hash", "claim_token", "secret"})


def owned_rows_table(
    name: str, about: LazyString, model: Any, owner_column: str = "user_id"
) -> ExportTable:
    """A table exported as stored: every column of the person's own rows except secrets. For
    models whose rows hold nothing about other people (e.g. service letters)."""
    columns = tuple(c.name for c in model.__table__.columns if c.name not in HIDDEN_COLUMNS)

    def rows(session: Session, person: User) -> list[Row]:
        owner = getattr(model, owner_column)
        found = session.scalars(select(model).where(owner == person.id).order_by(model.id))
        return [{c: plain(getattr(obj, c)) for c in columns} for obj in found]

    return ExportTable(name, about, columns, rows)


TABLES: list[ExportTable] = [
    ExportTable(
        "profile",
        _l("Your account: name, email, phone, language and when you joined."),
        r.PROFILE,
        r.profile,
    ),
    table(
        "memberships",
        _l("The organisations you belong to and your role in each."),
        "organisation_id organisation role since",
        r.memberships,
    ),
    table(
        "signups",
        _l("Every shift you signed up for or were placed on, and what became of it."),
        "id task_id task shift_id starts_at ends_at status placed_by_coordinator queued_at"
        " created_at updated_at",
        r.signups,
    ),
    table(
        "logs",
        _l("Every log of hours made by you or for you, with its status."),
        "id date hours programme_id task_id task shift_id organisation notes status"
        " corrects_log_id logged_by_you submitted_at updated_at",
        r.logs,
    ),
    table(
        "outcomes",
        _l("The results you recorded on your logs (for example, meals served)."),
        "log_id metric_id metric unit quantity",
        r.outcomes,
    ),
    table(
        "in_kind",
        _l("Goods and services you gave, recorded on your logs, with their value."),
        "log_id description value",
        r.in_kind,
    ),
    table(
        "review_decisions",
        _l(
            "The latest review of each of your logs: the decision, the comment and the name of "
            "the reviewer as coprod shows it to you."
        ),
        "log_id decision comment reviewed_at reviewer",
        r.reviews,
    ),
    table(
        "notification_preferences",
        _l("The kinds of email you turned on or off (the others follow the default)."),
        "kind enabled updated_at",
        r.preferences,
    ),
    table(
        "audit_entries",
        _l(
            "The record of changes you made, and of changes made to your account and your own "
            "records. For changes you made to other people's records, only the action and the "
            "time are given."
        ),
        "id at action what object_type object_id done_by_you before after",
        r.audit,
    ),
    table(
        "emails",
        _l("The emails coprod sent you or is about to send you, with their text."),
        "id created_at to kind subject body status sent_at",
        r.emails,
    ),
    table(
        "api_tokens",
        _l("The names and dates of your API tokens (never the tokens themselves)."),
        "id name created_at last_used_at revoked_at",
        r.tokens,
    ),
    table(
        "task_interest",
        _l("The ongoing tasks you said you are interested in."),
        "task_id task since",
        r.interests,
    ),
]

# Service letters (issue #15 part 2) join the list as soon as their model exists; until then
# this adds nothing.
_letters = getattr(models, "ServiceLetter", None)
if _letters is not None and hasattr(_letters, "user_id"):
    TABLES.append(
        owned_rows_table(
            "service_letters",
            _l("The service letters you asked for, with their verification codes."),
            _letters,
        )
    )


# --- proposals (coprod.services.engagement.proposals) --------------------------------------

PROPOSAL_COLUMNS = (
    "id programme_id title what location why contribution anonymous status supports answer"
    " answered_at task_id hidden_reason created_at"
)


def _proposals(session: Session, person: User) -> list[Row]:
    """The person's proposals with the agency's answers (not who answered or hid them)."""
    found = session.scalars(
        select(models.Proposal)
        .where(models.Proposal.author_id == person.id)
        .order_by(models.Proposal.id)
    )
    return [{c: plain(getattr(p, c)) for c in PROPOSAL_COLUMNS.split()} for p in found]


def _supports(session: Session, person: User) -> list[Row]:
    rows = session.execute(
        select(models.ProposalSupport, models.Proposal.title)
        .join(models.Proposal, models.Proposal.id == models.ProposalSupport.proposal_id)
        .where(models.ProposalSupport.user_id == person.id)
        .order_by(models.ProposalSupport.id)
    )
    return [
        {"proposal_id": s.proposal_id, "proposal": title, "since": plain(s.created_at)}
        for s, title in rows
    ]


TABLES += [
    table(
        "proposals",
        _l("The tasks you proposed, with the agency's answers."),
        PROPOSAL_COLUMNS,
        _proposals,
    ),
    table(
        "proposal_supports",
        _l("The proposals you support."),
        "proposal_id proposal since",
        _supports,
    ),
]


def _feedback(session: Session, person: User) -> list[Row]:
    """The person's ratings and comments on tasks (coprod.services.engagement.feedback), with
    the reason when the organisers hid one, never who hid it."""
    found = session.scalars(
        select(models.Feedback)
        .options(selectinload(models.Feedback.task))
        .where(models.Feedback.user_id == person.id)
        .order_by(models.Feedback.id)
    )
    keys = ("id", "task_id", "shift_id", "rating", "comment", "public", "date", "hidden_at")
    out: list[Row] = []
    for f in found:
        row = {k: plain(getattr(f, k)) for k in keys}
        row.update(task=f.task.title, hidden_reason=f.hidden_reason, created_at=plain(f.created_at))
        out.append(row)
    return out


TABLES.append(
    table(
        "feedback",
        _l("Your ratings and comments on tasks, whether each is public, and why one was hidden."),
        "id task_id task shift_id rating comment public date hidden_at hidden_reason created_at",
        _feedback,
    )
)
