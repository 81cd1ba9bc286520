# path: db/versions/9e0f_merge_accounts.py
from alembic import op

revision = "9e0f"
down_revision = "8c1d"


def upgrade():
    op.execute("UPDATE accounts SET kind = 'personal' WHERE kind IS NULL")


def downgrade():
    """Data merge: cannot be undone."""
    raise NotImplementedError("irreversible")  # error: DC404
