"""Registry (enterprises, certificates, commodities, persons) and auth (users) tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from singlewindow.db.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("credit_class", sa.String(length=24), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=True),
        sa.Column("park", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_enterprises")),
    )
    op.create_table(
        "persons",
        sa.Column("id_type", sa.String(length=1), nullable=False),
        sa.Column("id_number", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id_type", "id_number", name=op.f("pk_persons")),
    )
    op.create_table(
        "commodities",
        sa.Column("ebc_code", sa.String(length=18), nullable=False),
        sa.Column("item_no", sa.String(length=30), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("origin_country", sa.String(length=3), nullable=True),
        sa.Column("producer", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["ebc_code"], ["enterprises.code"], name=op.f("fk_commodities_ebc_code_enterprises")
        ),
        sa.PrimaryKeyConstraint("ebc_code", "item_no", name=op.f("pk_commodities")),
    )
    op.create_index(op.f("ix_commodities_hs_code"), "commodities", ["hs_code"])
    op.create_table(
        "enterprise_certificates",
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pem", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_code"],
            ["enterprises.code"],
            name=op.f("fk_enterprise_certificates_enterprise_code_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "enterprise_code", "fingerprint", name=op.f("pk_enterprise_certificates")
        ),
    )
    op.create_index(
        op.f("ix_enterprise_certificates_fingerprint"), "enterprise_certificates", ["fingerprint"]
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=True),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_code"],
            ["enterprises.code"],
            name=op.f("fk_users_enterprise_code_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_users_key_hash")),
    )
    op.create_index(op.f("ix_users_enterprise_code"), "users", ["enterprise_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_users_enterprise_code"), table_name="users")
    op.drop_table("users")
    op.drop_index(
        op.f("ix_enterprise_certificates_fingerprint"), table_name="enterprise_certificates"
    )
    op.drop_table("enterprise_certificates")
    op.drop_index(op.f("ix_commodities_hs_code"), table_name="commodities")
    op.drop_table("commodities")
    op.drop_table("persons")
    op.drop_table("enterprises")
