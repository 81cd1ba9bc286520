# path: alembic/versions/3f2a9c1e_drop_legacy.py
"""drop legacy columns"""
import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1e"
down_revision = "1b7d0e44"


def upgrade():
    op.drop_column("orders", "legacy_total")  # error: DC403
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))  # ok: DC403


def downgrade():
    pass  # error: DC404[high]
