"""community engagement: proposals and their supports, feedback on tasks, content flags;
programme.accepts_proposals, task.co_coordinator_id

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:13:02

New tables start empty. Existing programmes do not accept proposals (the column's server
default, false, fills them) and existing tasks have no co-coordinator.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db


revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("contribution", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "under_review",
                "accepted",
                "declined",
                "already_planned",
                name="proposalstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("supports", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("impact", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("impact_built_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("supports >= 0", name=op.f("ck_proposal_supports_non_negative")),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user.id"],
            name=op.f("fk_proposal_answered_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_proposal_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user.id"],
            name=op.f("fk_proposal_hidden_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_proposal_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_proposal_task_id_task"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("task_id", name=op.f("uq_proposal_task_id")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposal_author_created", ["author_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_proposal_programme_status", ["programme_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_proposal_programme_supports", ["programme_id", "supports", "id"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("hidden_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name=op.f("ck_feedback_rating_range")),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user.id"],
            name=op.f("fk_feedback_hidden_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_feedback_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_feedback_shift_id_shift"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_feedback_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_feedback_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_feedback_task_id_user_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_changed", ["changed_at"], unique=False)
        batch_op.create_index(
            "ix_feedback_report", ["programme_id", "date", "task_id", "rating"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_user_id"), ["user_id"], unique=False)

    op.create_table(
        "proposal_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_support_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_proposal_support_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_support")),
        sa.UniqueConstraint(
            "proposal_id", "user_id", name=op.f("uq_proposal_support_proposal_id_user_id")
        ),
    )
    with op.batch_alter_table("proposal_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_support_user_id"), ["user_id"], unique=False)

    op.create_table(
        "content_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(proposal_id IS NULL) <> (feedback_id IS NULL)", name=op.f("ck_content_flag_one_item")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_content_flag_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_content_flag_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_content_flag_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user.id"],
            name=op.f("fk_content_flag_resolved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_content_flag_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_flag")),
        sa.UniqueConstraint(
            "feedback_id", "user_id", name=op.f("uq_content_flag_feedback_id_user_id")
        ),
        sa.UniqueConstraint(
            "proposal_id", "user_id", name=op.f("uq_content_flag_proposal_id_user_id")
        ),
    )
    with op.batch_alter_table("content_flag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_flag_feedback_id"), ["feedback_id"], unique=False
        )
        batch_op.create_index("ix_content_flag_open", ["resolved_at", "programme_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_content_flag_proposal_id"), ["proposal_id"], unique=False
        )

    op.add_column(
        "programme",
        sa.Column("accepts_proposals", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("task", sa.Column("co_coordinator_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_task_co_coordinator_id"), "task", ["co_coordinator_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_co_coordinator_id"))
        batch_op.drop_column("co_coordinator_id")

    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("accepts_proposals")

    with op.batch_alter_table("content_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_flag_proposal_id"))
        batch_op.drop_index("ix_content_flag_open")
        batch_op.drop_index(batch_op.f("ix_content_flag_feedback_id"))

    op.drop_table("content_flag")
    with op.batch_alter_table("proposal_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_support_user_id"))

    op.drop_table("proposal_support")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_user_id"))
        batch_op.drop_index("ix_feedback_report")
        batch_op.drop_index("ix_feedback_changed")

    op.drop_table("feedback")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_programme_supports")
        batch_op.drop_index("ix_proposal_programme_status")
        batch_op.drop_index("ix_proposal_author_created")

    op.drop_table("proposal")
