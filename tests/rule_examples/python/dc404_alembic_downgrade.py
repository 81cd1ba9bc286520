# path: migrations/versions/8c1d_add_status.py
import sqlalchemy as sa
from alembic import op

revision = "8c1d"
down_revision = "3f2a9c1e"


def upgrade():
    op.add_column("orders", sa.Column("status", sa.String(20), nullable=True))
    op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("audit")  # ok: DC403, DC404
    op.drop_column("orders", "status")  # ok: DC403


def irreversible_helper():
    raise NotImplementedError  # ok: DC404
