"""Initial schema: customers, phones, transactions, cases, interactions and
their legs (offers, holds, transfers), the agent state log, users.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("agent_state_log",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("agent_id", sa.String(length=64), nullable=False),
    sa.Column("state", sa.String(length=16), nullable=False),
    sa.Column("reason", sa.String(length=64), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("call_id", sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_log"))
    )
    op.create_index("ix_agent_state_log_agent_at", "agent_state_log", ["agent_id", "at"])

    op.create_table("customers",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("account_number", sa.String(length=40), nullable=True),
    sa.Column("tier", sa.String(length=2), nullable=True),
    sa.Column("clv", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column("monthly_profit", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column("rfm_r", sa.Integer(), nullable=True),
    sa.Column("rfm_f", sa.Integer(), nullable=True),
    sa.Column("rfm_m", sa.Integer(), nullable=True),
    sa.Column("rfm_score", sa.Integer(), nullable=True),
    sa.Column("segment", sa.String(length=20), nullable=True),
    sa.Column("dedicated_agent_id", sa.String(length=64), nullable=True),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("tier IN ('A1', 'A2', 'A3', 'A4', 'A5')", name=op.f("ck_customers_tier")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    sa.UniqueConstraint("account_number", name=op.f("uq_customers_account_number"))
    )
    op.create_table("users",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("display_name", sa.String(length=200), nullable=False),
    sa.Column("role", sa.String(length=16), nullable=False),
    sa.Column("agent_id", sa.String(length=64), nullable=True),
    sa.Column("password_hash", sa.String(length=255), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('agent', 'supervisor', 'qa', 'planner', 'admin')", name=op.f("ck_users_role")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    sa.UniqueConstraint("username", name=op.f("uq_users_username"))
    )
    op.create_table("customer_phones",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("customer_id", sa.String(length=32), nullable=False),
    sa.Column("e164", sa.String(length=16), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_customer_phones_customer_id_customers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_phones")),
    sa.UniqueConstraint("customer_id", "e164", name="uq_customer_phones_customer_e164")
    )
    op.create_index("ix_customer_phones_e164", "customer_phones", ["e164"])

    op.create_table("interactions",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("direction", sa.String(length=16), nullable=False),
    sa.Column("caller_number", sa.String(length=40), nullable=True),
    sa.Column("customer_id", sa.String(length=32), nullable=True),
    sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ivr_path", sa.JSON(), nullable=False),
    sa.Column("ivr_inputs", sa.JSON(), nullable=False),
    sa.Column("queue", sa.String(length=64), nullable=True),
    sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("agent_id", sa.String(length=64), nullable=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("wrap_up_end", sa.DateTime(timezone=True), nullable=True),
    sa.Column("abandoned", sa.Boolean(), nullable=False),
    sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("disposition", sa.String(length=64), nullable=True),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("recording_ref", sa.String(length=255), nullable=True),
    sa.Column("end_cause", sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_interactions_customer_id_customers"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions"))
    )
    op.create_index("ix_interactions_customer_arrived", "interactions", ["customer_id", "arrived_at"])

    op.create_table("transactions",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("customer_id", sa.String(length=32), nullable=False),
    sa.Column("date", sa.Date(), nullable=False),
    sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column("margin", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column("product", sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_transactions_customer_id_customers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions"))
    )
    op.create_index("ix_transactions_customer_date", "transactions", ["customer_id", "date"])

    op.create_table("cases",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("customer_id", sa.String(length=32), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("owner_agent_id", sa.String(length=64), nullable=True),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("interaction_id", sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('open', 'pending', 'closed')", name=op.f("ck_cases_status")),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_cases_customer_id_customers"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"], name=op.f("fk_cases_interaction_id_interactions"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_cases"))
    )
    op.create_index("ix_cases_customer_status", "cases", ["customer_id", "status"])

    op.create_table("interaction_holds",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("interaction_id", sa.String(length=64), nullable=False),
    sa.Column("agent_id", sa.String(length=64), nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"], name=op.f("fk_interaction_holds_interaction_id_interactions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_holds"))
    )
    op.create_index("ix_interaction_holds_interaction_id", "interaction_holds", ["interaction_id"])

    op.create_table("interaction_offers",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("interaction_id", sa.String(length=64), nullable=False),
    sa.Column("agent_id", sa.String(length=64), nullable=False),
    sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(length=16), nullable=True),
    sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IN ('answered', 'no-answer', 'abandoned', 'rejected')", name=op.f("ck_interaction_offers_outcome")),
    sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"], name=op.f("fk_interaction_offers_interaction_id_interactions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_offers"))
    )
    op.create_index("ix_interaction_offers_interaction_id", "interaction_offers", ["interaction_id"])

    op.create_table("interaction_transfers",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("interaction_id", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("from_agent_id", sa.String(length=64), nullable=True),
    sa.Column("to_target", sa.String(length=64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('blind', 'attended')", name=op.f("ck_interaction_transfers_kind")),
    sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"], name=op.f("fk_interaction_transfers_interaction_id_interactions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_transfers"))
    )
    op.create_index("ix_interaction_transfers_interaction_id", "interaction_transfers", ["interaction_id"])



def downgrade() -> None:
    op.drop_index("ix_interaction_transfers_interaction_id", table_name="interaction_transfers")
    op.drop_table("interaction_transfers")
    op.drop_index("ix_interaction_offers_interaction_id", table_name="interaction_offers")
    op.drop_table("interaction_offers")
    op.drop_index("ix_interaction_holds_interaction_id", table_name="interaction_holds")
    op.drop_table("interaction_holds")
    op.drop_index("ix_cases_customer_status", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_transactions_customer_date", table_name="transactions")
    op.drop_table("transactions")
    op.drop_index("ix_interactions_customer_arrived", table_name="interactions")
    op.drop_table("interactions")
    op.drop_index("ix_customer_phones_e164", table_name="customer_phones")
    op.drop_table("customer_phones")
    op.drop_table("users")
    op.drop_table("customers")
    op.drop_index("ix_agent_state_log_agent_at", table_name="agent_state_log")
    op.drop_table("agent_state_log")
