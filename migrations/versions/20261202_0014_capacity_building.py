"""capacity building: qualifications and their awards, tasks' required qualifications and
skill tags, people's skills, shift invitations; task.trains_qualification_id,
user.open_to_invitations

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:35:54

New tables start empty. Existing tasks require nothing and train for nothing; existing people
have not agreed to be invited (the column's server default, false, fills them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db


revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_skill_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_skill")),
        sa.UniqueConstraint("user_id", "tag", name=op.f("uq_user_skill_user_id_tag")),
    )
    with op.batch_alter_table("user_skill", schema=None) as batch_op:
        batch_op.create_index("ix_user_skill_tag", ["tag"], unique=False)

    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("how_to_get", sa.Text(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column(
            "verifier",
            sa.Enum("coordinators", "lead_agency", name="verifier", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "validity_months IS NULL OR (validity_months >= 1 AND validity_months <= 600)",
            name=op.f("ck_qualification_validity_months_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_qualification_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_qualification_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_qualification_programme_id_programme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
    )
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualification_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "uq_qualification_org_name_ci",
            ["organisation_id", sa.literal_column("lower(name)")],
            unique=True,
        )

    op.create_table(
        "task_qualification",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("qualification_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["qualification_id"],
            ["qualification.id"],
            name=op.f("fk_task_qualification_qualification_id_qualification"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_qualification_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", "qualification_id", name=op.f("pk_task_qualification")),
    )
    with op.batch_alter_table("task_qualification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_qualification_qualification_id"), ["qualification_id"], unique=False
        )

    op.create_table(
        "task_skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_skill_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_skill")),
        sa.UniqueConstraint("task_id", "tag", name=op.f("uq_task_skill_task_id_tag")),
    )
    with op.batch_alter_table("task_skill", schema=None) as batch_op:
        batch_op.create_index("ix_task_skill_tag", ["tag"], unique=False)

    op.create_table(
        "shift_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user.id"],
            name=op.f("fk_shift_invitation_invited_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
            name=op.f("fk_shift_invitation_shift_id_shift"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_shift_invitation_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_invitation")),
        sa.UniqueConstraint(
            "shift_id", "user_id", name=op.f("uq_shift_invitation_shift_id_user_id")
        ),
    )
    with op.batch_alter_table("shift_invitation", schema=None) as batch_op:
        batch_op.create_index("ix_invitation_user", ["user_id", "created_at"], unique=False)

    op.create_table(
        "qualification_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("qualification_id", sa.Integer(), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column(
            "source",
            sa.Enum("verified", "training", name="awardsource", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("signup_id", sa.Integer(), nullable=True),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("expiry_notified_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on > awarded_on",
            name=op.f("ck_qualification_award_expires_after_award"),
        ),
        sa.ForeignKeyConstraint(
            ["awarded_by_id"],
            ["user.id"],
            name=op.f("fk_qualification_award_awarded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_id"],
            ["qualification.id"],
            name=op.f("fk_qualification_award_qualification_id_qualification"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user.id"],
            name=op.f("fk_qualification_award_revoked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["signup.id"],
            name=op.f("fk_qualification_award_signup_id_signup"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_qualification_award_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_award")),
        sa.UniqueConstraint("signup_id", name="uq_award_signup"),
    )
    with op.batch_alter_table("qualification_award", schema=None) as batch_op:
        batch_op.create_index(
            "ix_award_qualification_expires", ["qualification_id", "expires_on"], unique=False
        )
        batch_op.create_index(
            "ix_award_user_qualification",
            ["user_id", "qualification_id", "expires_on"],
            unique=False,
        )

    op.add_column("task", sa.Column("trains_qualification_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_task_trains_qualification_id"), "task", ["trains_qualification_id"], unique=False
    )
    op.add_column(
        "user",
        sa.Column("open_to_invitations", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("open_to_invitations")

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_trains_qualification_id"))
        batch_op.drop_column("trains_qualification_id")

    with op.batch_alter_table("qualification_award", schema=None) as batch_op:
        batch_op.drop_index("ix_award_user_qualification")
        batch_op.drop_index("ix_award_qualification_expires")

    op.drop_table("qualification_award")
    with op.batch_alter_table("shift_invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_invitation_user")

    op.drop_table("shift_invitation")
    with op.batch_alter_table("task_skill", schema=None) as batch_op:
        batch_op.drop_index("ix_task_skill_tag")

    op.drop_table("task_skill")
    with op.batch_alter_table("task_qualification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_qualification_qualification_id"))

    op.drop_table("task_qualification")
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.drop_index("uq_qualification_org_name_ci")
        batch_op.drop_index(batch_op.f("ix_qualification_organisation_id"))

    op.drop_table("qualification")
    with op.batch_alter_table("user_skill", schema=None) as batch_op:
        batch_op.drop_index("ix_user_skill_tag")

    op.drop_table("user_skill")
