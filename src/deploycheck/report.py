"""Renderers for scan results: text (Rich), json, sarif, github. Pure apart from printing."""

from __future__ import annotations

import json
from typing import Any

from .scan import ScanResult

SCHEMA_VERSION = 1


def scan_json(result: ScanResult) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "base": result.change.merge_base,
        "head": result.change.head_sha,
        "flagged": result.flagged,
        "checklists": result.checklists,
        "findings": [f.to_json() for f in result.findings],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
