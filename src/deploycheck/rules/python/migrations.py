"""Migrations that cannot be rolled back cleanly (DC401–DC405): Django and Alembic."""

from __future__ import annotations

import ast
import re

from ..base import FileContext, Rule, rule_docs
from .gate import migration_kind
from .source import PyModule, chain_attrs, dotted, last_name, module_for, short, string_value


def _rule(rule_id: str, name: str, summary: str, questions: tuple[str, ...] = ("rollback-safe",), **docs: str) -> Rule:
    return Rule(
        id=rule_id, name=name, category="migration", severity="high", questions=questions,
        summary=summary, languages=("python",), **rule_docs(**docs),
    )


RUNPYTHON_IRREVERSIBLE = _rule(
    "DC401", "irreversible-run-python", "RunPython without reverse_code, or with a no-op reverse while the forward writes data.",
    what_it_does="""
        Reports an added Django `migrations.RunPython(forward)` without `reverse_code`, or with
        `reverse_code=migrations.RunPython.noop` when the forward function (defined in the same
        file) writes data (`save`, `update`, `create`, `delete`, `bulk_*`, `execute`).
        """,
    why_bad="""
        Without a reverse, `migrate app <previous>` refuses to run: rolling back a bad deploy
        needs manual data correction at the worst possible moment. A no-op reverse lets the
        rollback "succeed" while leaving the rewritten data behind for the old code to trip on.
        """,
    known_problems="""
        A forward function imported from another module is assumed to write data.
        """,
    example="""
        operations = [
            migrations.RunPython(split_full_names),
        ]
        """,
    use_instead="""
        operations = [
            migrations.RunPython(split_full_names, reverse_code=join_full_names),
        ]
        """,
)
RUNSQL_IRREVERSIBLE = _rule(
    "DC402", "irreversible-run-sql", "RunSQL without reverse_sql, or with a no-op reverse while the forward changes data.",
    what_it_does="""
        Reports an added Django `migrations.RunSQL(sql)` without `reverse_sql`, or with a
        no-op reverse while the forward SQL changes data or schema (`UPDATE`, `DELETE`,
        `INSERT`, `DROP`, `ALTER`, `TRUNCATE`).
        """,
    why_bad="""
        The migration cannot be unapplied, so a rollback of the release needs hand-written SQL.
        """,
    known_problems="""
        SQL built at run time is treated as changing data.
        """,
    example="""
        migrations.RunSQL("UPDATE shop_order SET status = 'paid' WHERE paid_at IS NOT NULL")
        """,
    use_instead="""
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY order_status ON shop_order (status)",
            reverse_sql="DROP INDEX CONCURRENTLY order_status",
        )
        """,
)
DESTRUCTIVE_OPERATION = _rule(
    "DC403", "destructive-migration-operation", "A migration drops or renames a column or table (RemoveField, DeleteModel, RenameField, drop_column, drop_table).",
    what_it_does="""
        Reports added operations that destroy or rename data: Django `RemoveField`,
        `DeleteModel`, `RenameField`, `RenameModel`; Alembic `op.drop_column()` and
        `op.drop_table()` inside `upgrade()` (the same calls in `downgrade()` are the normal
        reverse of an addition and are not reported).
        """,
    why_bad="""
        Rolling back recreates a dropped column or table empty: the data is gone. During a
        rolling deploy, old code still running against the new schema fails on a removed or
        renamed column. Safe removal takes two releases: stop using the column, then drop it.
        """,
    known_problems="""
        The rule cannot tell whether the column was already unused in the previous release.
        """,
    example="""
        operations = [
            migrations.RemoveField(model_name="order", name="legacy_total"),
        ]
        """,
    use_instead="""
        Release 1: remove every use of `legacy_total` from the code (and make it nullable).
        Release 2, once release 1 is everywhere and a backup exists:

        operations = [
            migrations.RemoveField(model_name="order", name="legacy_total"),   # reviewed: data archived
        ]
        """,
)
EMPTY_DOWNGRADE = _rule(
    "DC404", "irreversible-downgrade", "An Alembic downgrade() is empty or raises.",
    what_it_does="""
        Reports an added Alembic `downgrade()` whose body is empty (`pass`, a docstring) or only
        raises.
        """,
    why_bad="""
        `alembic downgrade -1` either does nothing (the schema stays on the new revision while
        the old code runs against it) or fails: rollback needs manual correction.
        """,
    known_problems="""
        A revision that is genuinely irreversible should say so in the checklist answer for
        `rollback-safe`.
        """,
    example="""
        def upgrade():
            op.add_column("order", sa.Column("status", sa.String(20), nullable=True))

        def downgrade():
            pass
        """,
    use_instead="""
        def downgrade():
            op.drop_column("order", "status")
        """,
)
MIGRATION_EDITED = _rule(
    "DC405", "applied-migration-edited", "An existing migration file was edited or deleted instead of adding a new one.", ("rollback-safe", "silent-failure"),
    what_it_does="""
        Reports a change to a migration file that already existed on the base branch (Django
        `*/migrations/*.py`, Alembic `*/versions/*.py`): edited or deleted instead of a new
        migration being added.
        """,
    why_bad="""
        Databases that already applied the migration never run it again: staging and
        production silently diverge from fresh environments, and a rollback replays steps that
        do not match what was applied.
        """,
    known_problems="""
        Editing a migration that was never deployed anywhere is harmless; say so in the
        checklist. Formatting-only edits are reported too.
        """,
    example="""
        # migrations/0007_order_status.py (already on main), edited on the branch:
        migrations.AddField("order", "status", models.CharField(max_length=30, default="new"))
        """,
    use_instead="""
        Leave 0007 as it is and add migrations/0008_alter_order_status.py with the change.
        """,
)

RULES = (RUNPYTHON_IRREVERSIBLE, RUNSQL_IRREVERSIBLE, DESTRUCTIVE_OPERATION, EMPTY_DOWNGRADE, MIGRATION_EDITED)

_DATA_WRITES = {"save", "update", "create", "bulk_create", "bulk_update", "delete", "execute", "update_or_create", "get_or_create", "raw"}
_DML = re.compile(r"\b(?:update|delete|insert|drop|truncate|alter)\b")
_DESTRUCTIVE = {
    "RemoveField": "removes the column {}: rolling back recreates it empty, the data is gone",
    "DeleteModel": "deletes the table of model {}: rolling back recreates it empty",
    "RenameField": "renames the column {}: code still running the old version breaks during the deploy",
    "RenameModel": "renames the table of {}: code still running the old version breaks during the deploy",
}
_ALEMBIC_DESTRUCTIVE = {
    "drop_column": "drops the column {}: downgrade cannot bring its data back",
    "drop_table": "drops the table {}: downgrade cannot bring its data back",
}


def _arg(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def _is_noop(node: ast.AST | None) -> bool:
    if node is None:
        return False
    if last_name(node) == "noop":
        return True
    if isinstance(node, ast.Lambda):
        return isinstance(node.body, ast.Constant) and node.body.value is None
    return False


def _function_writes(module: PyModule, node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Name):
        return True  # a lambda or an imported function: assume it changes data
    for fn in module.by_name.get(node.id, ()):
        for sub in ast.walk(fn.node):
            if isinstance(sub, ast.Call) and last_name(sub.func) in _DATA_WRITES:
                return True
        return False
    return True


def _added(ctx: FileContext, node: ast.AST) -> int | None:
    start, end = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]  # a call
    return next((n for n in range(start, end + 1) if n in ctx.added), None)


def _django(ctx: FileContext, module: PyModule):
    for call, _scope in module.calls:
        line = _added(ctx, call)
        if line is None:
            continue
        op = last_name(call.func)
        if op == "RunPython":
            forward, reverse = _arg(call, 0, "code"), _arg(call, 1, "reverse_code")
            if reverse is None:
                yield RUNPYTHON_IRREVERSIBLE.finding(
                    ctx.path, call.lineno,
                    f"RunPython({short(forward, 30) if forward else ''}) has no reverse_code: this migration cannot be "
                    "rolled back without correcting the data by hand.",
                    call.end_lineno,
                )
            elif _is_noop(reverse) and _function_writes(module, forward):
                yield RUNPYTHON_IRREVERSIBLE.finding(
                    ctx.path, call.lineno,
                    f"RunPython({short(forward, 30) if forward else '?'}) writes data but its reverse is a no-op: rolling back leaves the "
                    "rewritten data behind.",
                    call.end_lineno,
                )
        elif op == "RunSQL":
            forward, reverse = _arg(call, 0, "sql"), _arg(call, 1, "reverse_sql")
            sql = (string_value(forward) or "").lower() if forward is not None else ""
            if reverse is None:
                yield RUNSQL_IRREVERSIBLE.finding(
                    ctx.path, call.lineno,
                    "RunSQL has no reverse_sql: this migration cannot be rolled back without manual SQL.",
                    call.end_lineno,
                )
            elif _is_noop(reverse) and (_DML.search(sql) or forward is None or string_value(forward) is None):
                yield RUNSQL_IRREVERSIBLE.finding(
                    ctx.path, call.lineno,
                    "RunSQL changes data or schema but its reverse_sql is a no-op: rolling back leaves the change behind.",
                    call.end_lineno,
                )
        elif op in _DESTRUCTIVE and "migrations" in chain_attrs(call.func) + [dotted(call.func)]:
            subject = _subject(call)
            yield DESTRUCTIVE_OPERATION.finding(
                ctx.path, call.lineno, f"{op} {_DESTRUCTIVE[op].format(subject)}.", call.end_lineno
            )


def _subject(call: ast.Call) -> str:
    if last_name(call.func) in ("DeleteModel", "RenameModel"):
        parts = [_arg(call, 0, "name" if last_name(call.func) == "DeleteModel" else "old_name")]
    else:
        parts = [_arg(call, 0, "model_name"), _arg(call, 1, "old_name" if last_name(call.func) == "RenameField" else "name")]
    texts = [string_value(p) for p in parts if p is not None]
    return ".".join(t for t in texts if t) or "?"


def _alembic(ctx: FileContext, module: PyModule):
    upgrade = next((fn for fn in module.by_name.get("upgrade", ()) if fn.parent is None), None)
    downgrade = next((fn for fn in module.by_name.get("downgrade", ()) if fn.parent is None), None)
    if upgrade is not None:
        for call, scope in module.calls:
            op = last_name(call.func)
            if scope == "upgrade" and op in _ALEMBIC_DESTRUCTIVE and _added(ctx, call) is not None:
                args = [string_value(a) for a in call.args[:2]]
                subject = ".".join(a for a in args if a) or "?"
                yield DESTRUCTIVE_OPERATION.finding(
                    ctx.path, call.lineno, f"{op} {_ALEMBIC_DESTRUCTIVE[op].format(subject)}.", call.end_lineno
                )
    if downgrade is not None:
        body = [s for s in downgrade.node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        empty = all(isinstance(s, ast.Pass) for s in body)
        raises = bool(body) and all(isinstance(s, (ast.Raise, ast.Pass)) for s in body) and any(isinstance(s, ast.Raise) for s in body)
        if empty or raises:
            target = body[0] if body else downgrade.node
            line = _added(ctx, target) or _added(ctx, downgrade.node)
            if line is not None:
                how = "raises" if raises else "does nothing"
                yield EMPTY_DOWNGRADE.finding(
                    ctx.path, line,
                    f"downgrade() {how}: rolling this revision back needs manual schema and data correction.",
                    downgrade.end,
                )


def detect_migrations(ctx: FileContext):
    kind = migration_kind(ctx.path)
    if kind is None or not (ctx.added or ctx.removed):
        return
    status = ctx.file.status
    if status in ("modified", "deleted", "type-changed"):
        verb = "deleted" if status == "deleted" else "edited"
        message = (
            f"{ctx.path} is an existing migration and was {verb}: databases that already applied it will not see "
            "the change, so environments drift apart and rollbacks replay the wrong steps; add a new migration instead."
        )
        if ctx.added:
            yield MIGRATION_EDITED.finding(ctx.path, min(ctx.added), message, max(ctx.added))
        else:
            yield MIGRATION_EDITED.finding(ctx.path, min(ctx.removed), message, max(ctx.removed), side="base")
    if not ctx.added:
        return
    module = module_for(ctx, "head")
    if module is None:
        return
    if kind == "django" or "migrations.Migration" in module.text:
        yield from _django(ctx, module)
    if kind == "alembic" or "def upgrade(" in module.text:
        yield from _alembic(ctx, module)


DETECTORS = (detect_migrations,)
