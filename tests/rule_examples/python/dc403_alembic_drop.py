# path: alembic/versions/3f2a9c1e_drop_legacy.py
"""drop legacy columns"""
import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1e"
down_revision = "1b7d0e44"


def upgrade():
    op.drop_column("orders", "legacy_total")  # error: DC403
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))  # ok: DC403
    op.drop_table("coupons")  # error: DC403
    with op.batch_alter_table("invoices") as batch_op:
        batch_op.drop_column("fax")  # error: DC403
        batch_op.add_column(sa.Column("email", sa.Text()))  # ok: DC403


def downgrade():
    pass  # error: DC404[high]
