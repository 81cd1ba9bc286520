"""A record body with every field set, its exact bytes, and the record signed (a fixed signature)."""

from __future__ import annotations

import dataclasses

from deploycheck.checklist.answers import Answer
from deploycheck.git.model import Finding
from deploycheck.records.record import (
    Author, BaseInfo, ChecklistRef, FingerprintInfo, RecordBody, SignatureInfo, ToolInfo,
    attach_signature, build_body,
)

H = "ab" * 32
ARMORED = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n"
SIG = SignatureInfo(principal="dev@example.com", key="SHA256:KB16C9abc", value=ARMORED)


def make_body(**changes) -> RecordBody:
    body = RecordBody(
        id="2026-11-28-inventory-refactor-3f2a9c1e",
        created="2026-11-28T10:15:00Z",
        author=Author("Dev Example", "dev@example.com"),
        branch="inventory-refactor",
        base=BaseInfo("origin/main", "1" * 40, "2" * 40),
        tool=ToolInfo("0.1.0", "2.43.0"),
        fingerprint=FingerprintInfo("f" * 64, {"inventory/jobs.py": H}),
        findings=(
            Finding("DC301", "lost-update", "shared-state", "high", "inventory/jobs.py", 14, 17,
                    "stock is read, changed and saved back", ("shared-state", "sequential-assumption")),
        ),
        checklist=ChecklistRef("background-jobs", 1, "c" * 64),
        answers={
            "shared-state": Answer("yes", "decrements inventory.Product.stock"),
            "silent-failure": Answer("Two workers processing orders for the same product."),
        },
    )
    return dataclasses.replace(body, **changes)


EXPECTED_BODY = f"""\
deploycheck_record: 1
id: "2026-11-28-inventory-refactor-3f2a9c1e"
created: "2026-11-28T10:15:00Z"
author:
  name: "Dev Example"
  email: "dev@example.com"
branch: "inventory-refactor"
base:
  ref: "origin/main"
  merge_base: "{'1' * 40}"
  head: "{'2' * 40}"
tool:
  deploycheck: "0.1.0"
  git: "2.43.0"
fingerprint:
  algorithm: "sha256"
  value: "{'f' * 64}"
  files:
    "inventory/jobs.py": "{H}"
findings:
  - rule: "DC301"
    name: "lost-update"
    category: "shared-state"
    severity: "high"
    path: "inventory/jobs.py"
    line: 14
    end_line: 17
    side: "head"
    message: "stock is read, changed and saved back"
    questions: ["shared-state", "sequential-assumption"]
checklist:
  id: "background-jobs"
  version: 1
  digest: "{'c' * 64}"
answers:
  "shared-state":
    answer: "yes"
    details: "decrements inventory.Product.stock"
  "silent-failure":
    answer: "Two workers processing orders for the same product."
"""

EXPECTED_SIGNATURE = """\
signature:
  format: "sshsig"
  namespace: "deploycheck-record-v1"
  principal: "dev@example.com"
  key: "SHA256:KB16C9abc"
  value: |
    -----BEGIN SSH SIGNATURE-----
    U1NIU0lHAAAAAQ==
    -----END SSH SIGNATURE-----
"""


def full(body: RecordBody | None = None) -> bytes:
    return attach_signature(build_body(body or make_body()), SIG)
