"""`deploycheck scan`: show what the change touches."""

from __future__ import annotations

from ..output import report
from ..config import CONFIG_PATH, RECORDS_DIR, Config
from ..analysis.pipeline import Context, analyse
from ..git.model import ADDED


def run(base: str | None, head: str | None, format: str, fail_on_findings: bool) -> int:
    # Any commit-ish, tags too (`scan --base v0.10.0`: a new user's trial was refused it): scan
    # shows a change and gives no verdict. The gate keeps to branches (docs/cli.md).
    ctx = analyse(base, head, tags=True)
    result = ctx.scan
    notes = config_notes(ctx)
    if notes:
        from ..output.console import warn

        for message in notes:
            warn(message)
    from ..gate.prfield import claim_lines, shown_claims

    claims = shown_claims(ctx)
    if format == "json":
        print(report.dumps({**report.scan_json(result), "claims": [c.to_json() for c in claims]}))
    elif format == "sarif":
        print(report.dumps(report.scan_sarif(result)))
    elif format == "github":
        report.print_github_scan(result, claims)
    else:
        if claims:  # first, in plain words (issue 19)
            from rich.text import Text

            from ..output.console import out

            for line in claim_lines(claims):
                out().print(Text(line, style="bold yellow"), soft_wrap=True)
        report.print_scan_text(result, next_step=_next_step(ctx), hint=not ctx.config.job_paths)
    from ..records.worktree import uncommitted_edits, uncommitted_note

    edited = uncommitted_edits(ctx)
    if edited:  # on stderr, after the result it qualifies: JSON and SARIF on stdout stay clean
        from ..output.console import warn

        warn(uncommitted_note(edited))
    return 1 if (fail_on_findings and result.flagged) else 0


def unknown_rules(config: Config) -> list[tuple[str, str, str | None]]:
    """(key, name, suggestion) for every entry of ``rules.disable`` / ``rules.severity`` that
    names no rule exactly (ids and names are matched as written): a typo there silently
    switches nothing off. ``suggestion`` is the exact spelling when only the case is off."""
    from ..rules import all_rules, get_rule

    exact = {spelling for rule in all_rules().values() for spelling in (rule.id, rule.name)}
    named = [("rules.disable", name) for name in config.disabled_rules]
    named += [("rules.severity", name) for name in config.severity_overrides]
    out = []
    for key, name in named:
        if name not in exact:
            rule = get_rule(name)
            out.append((key, name, (rule.id if name.strip().upper() == rule.id else rule.name) if rule else None))
    return out


def config_notes(ctx: Context) -> list[str]:
    """Diagnostics (stderr) about the configuration this scan used, which is the base branch's."""
    notes = [
        f"{ctx.config.source} names {name!r} in {key}, which is not a rule of this deploycheck, so it "
        "has no effect: " + (f"write it as {hint!r}." if hint else "`deploycheck rules` lists the rule ids and names.")
        for key, name, hint in unknown_rules(ctx.config)
    ]
    config = next((fc for fc in ctx.deck_files if CONFIG_PATH in (fc.old_path, fc.new_path)), None)
    if config is not None:
        # A first setup adds the file: "edits" would describe a file that exists (a new user's
        # trial, session 25).
        added = config.status == ADDED
        notes.append(
            f"this change {'adds' if added else 'edits'} {CONFIG_PATH}; the scan used the base branch's "
            f"{'configuration (none: the defaults)' if added else 'version'}, so the "
            f"{'file' if added else 'edit'} takes effect once it is merged (as it does for `deploycheck verify`)."
        )
    return notes


def _next_step(ctx: Context) -> str:
    """After the verdict line: what to do, or that a committed record already covers it."""
    if not ctx.scan.flagged or not any(fc.path.startswith(RECORDS_DIR + "/") for fc in ctx.deck_files):
        # Only a record the change adds can cover it (gate.verification.record_files): without
        # one there is nothing to check, and the gate's reading of trust and digests is skipped.
        return report.ASSESS
    from ..git.change import read_as_tag

    if read_as_tag(ctx.change):
        # The signers would be read at the tag, which anyone who can push may point anywhere: no
        # word on the record here, where a valid one would read as the gate's.
        return ("The change adds a record; whether it covers the change, `deploycheck verify` decides against the base "
                "branch (never a tag).")
    from ..util.safe import inert
    from ..gate.verification import evaluate

    verdict = evaluate(ctx)
    valid = next((r for r in verdict.records if r.status == "valid"), None)
    if verdict.ok and valid is not None:
        return f"A valid record covers it: {inert(valid.path, keep_newlines=False)}."
    return report.ASSESS
