"""`deploycheck scan`: show what the change touches."""

from __future__ import annotations

from .. import report
from .common import analyse


def run(base: str | None, head: str | None, format: str, fail_on_findings: bool) -> int:
    ctx = analyse(base, head)
    result = ctx.scan
    if format == "json":
        print(report.dumps(report.scan_json(result)))
    elif format == "sarif":
        print(report.dumps(report.scan_sarif(result)))
    elif format == "github":
        report.print_github_scan(result)
    else:
        report.print_scan_text(result)
    return 1 if (fail_on_findings and result.flagged) else 0
