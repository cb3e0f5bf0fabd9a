"""Shared governance and experimentation: the versioned partnership agreement each partner
accepts or objects to, partners' commitments as figures, the decisions the partners vote on
(one vote per organisation), and pilot programmes' comparisons and evaluations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import quantity_type, str_enum
from coprod.models.accounts import User
from coprod.models.organisations import Organisation
from coprod.models.programmes import Metric, Partner, Programme
from coprod.models.reports import PeriodKind
from coprod.models.tasks import Task


class DecisionRule(StrEnum):
    """How the partners' votes decide, as the agreement says."""

    MAJORITY = "majority"  # an option chosen by more than half of those who may vote
    CONSENSUS = "consensus"  # every organisation that may vote chose the same option


class Agreement(Base):
    """One published version of a programme's partnership agreement. Published versions are
    never edited: a change is a new version. `terms` is what the version said of each partner
    when it was published: a list of {"organisation_id", "organisation_name", "role",
    "responsibilities", "commitments", "figures": [{"kind", "amount", "period", "metric_id",
    "metric_name", "unit", "due_on"}, ...]}."""

    __tablename__ = "agreement"
    __table_args__ = (
        UniqueConstraint("programme_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text)
    decision_rule: Mapped[DecisionRule] = mapped_column(str_enum(DecisionRule))
    review_on: Mapped[date | None]
    terms: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    published_by: Mapped[User | None] = relationship()
    answers: Mapped[list[AgreementAnswer]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementAnswer.id"
    )


class AgreementAnswer(Base):
    """A partner organisation's answer to one version: accepted, or objected to with a
    comment. One per organisation and version; changing it is audited."""

    __tablename__ = "agreement_answer"
    __table_args__ = (UniqueConstraint("agreement_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    accepted: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="answers")
    organisation: Mapped[Organisation] = relationship()
    answered_by: Mapped[User | None] = relationship()


class CommitmentKind(StrEnum):
    HOURS = "hours"  # approved volunteer hours credited to the partner, per period
    IN_KIND = "in_kind"  # in-kind value credited to the partner, per period
    OUTCOME = "outcome"  # a quantity of one of the programme's metrics, by a date


class Commitment(Base):
    """A measurable figure of a partner's commitments: `amount` hours or in-kind value per
    `period` (hours, in-kind), or `amount` of `metric` by `due_on` (outcome). It counts from
    `starts_on` (None: the programme's start)."""

    __tablename__ = "commitment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "(kind = 'outcome' AND metric_id IS NOT NULL AND due_on IS NOT NULL"
            " AND period IS NULL)"
            " OR (kind <> 'outcome' AND period IS NOT NULL AND metric_id IS NULL)",
            name="shape",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CommitmentKind] = mapped_column(str_enum(CommitmentKind))
    amount: Mapped[Decimal] = mapped_column(quantity_type())
    period: Mapped[PeriodKind | None] = mapped_column(str_enum(PeriodKind))
    metric_id: Mapped[int | None] = mapped_column(
        ForeignKey("metric.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date | None]
    starts_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="figures")
    metric: Mapped[Metric | None] = relationship()


class DecisionOutcome(StrEnum):
    CARRIED = "carried"  # chosen_option_id won under the rule
    NO_MAJORITY = "no_majority"
    NO_CONSENSUS = "no_consensus"
    NO_VOTES = "no_votes"


class Decision(Base):
    """A question the lead agency's staff put to the partnership: each organisation in it (the
    lead agency and every partner) casts one vote through its admin until `closes_at`; `rule`
    is copied from the agreement in force when it opened."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_open_due", "closed_at", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[DecisionRule] = mapped_column(str_enum(DecisionRule))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[DecisionOutcome | None] = mapped_column(str_enum(DecisionOutcome))
    # The winning option when carried. No foreign key (the option rows point at the decision);
    # the service sets it from this decision's own options.
    chosen_option_id: Mapped[int | None]

    programme: Mapped[Programme] = relationship()
    opened_by: Mapped[User | None] = relationship()
    options: Mapped[list[DecisionOption]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="DecisionOption.position"
    )
    votes: Mapped[list[DecisionVote]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="DecisionVote.id"
    )


class DecisionOption(Base):
    __tablename__ = "decision_option"
    __table_args__ = (UniqueConstraint("decision_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))

    decision: Mapped[Decision] = relationship(back_populates="options")


class DecisionVote(Base):
    """An organisation's one vote on a decision, cast (and changeable until it closes) by one
    of its admins, with a comment."""

    __tablename__ = "decision_vote"
    __table_args__ = (UniqueConstraint("decision_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    option_id: Mapped[int] = mapped_column(ForeignKey("decision_option.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text, default="")
    voted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="votes")
    organisation: Mapped[Organisation] = relationship()
    option: Mapped[DecisionOption] = relationship()
    voted_by: Mapped[User | None] = relationship()


class PilotDecision(StrEnum):
    SCALE_UP = "scale_up"
    ADAPT = "adapt"
    STOP = "stop"


class PilotControl(Base):
    """One established task or programme a pilot (a programme) is compared with."""

    __tablename__ = "pilot_control"
    __table_args__ = (
        CheckConstraint(
            "(task_id IS NULL) <> (control_programme_id IS NULL)", name="task_or_programme"
        ),
        UniqueConstraint("programme_id", "task_id"),
        UniqueConstraint("programme_id", "control_programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    control_programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE")
    )

    programme: Mapped[Programme] = relationship(foreign_keys=[programme_id])
    task: Mapped[Task | None] = relationship()
    control_programme: Mapped[Programme | None] = relationship(foreign_keys=[control_programme_id])


class PilotEvaluation(Base):
    """A pilot's evaluation, built by the scheduler when its window has ended (and rebuilt the
    same way: a fixed seed for the bootstrap), with the decision the lead agency's staff took.
    `figures` holds the pilot's and the comparison's numbers (see
    coprod.services.governance.pilots)."""

    __tablename__ = "pilot_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), unique=True
    )
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[PilotDecision | None] = mapped_column(str_enum(PilotDecision))
    lessons: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    programme: Mapped[Programme] = relationship()
    decided_by: Mapped[User | None] = relationship()
