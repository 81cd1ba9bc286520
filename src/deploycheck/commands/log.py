"""`deploycheck log`: the audit trail — who assessed which change, what they answered and saw."""

from __future__ import annotations

import os

from .. import gitcmd
from ..errors import RecordError
from ..record import RECORDS_DIR


def _records_at_head(root: str) -> list[tuple[str, str]]:
    """(path, blob id) of every record file in HEAD's tree."""
    out = gitcmd.run(["ls-tree", "-r", "-z", "HEAD", "--", RECORDS_DIR + "/"], root).stdout
    entries = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, oid = meta.split()
        if kind == b"blob" and path.endswith(b".yaml"):
            entries.append((path.decode("utf-8", "surrogateescape"), oid.decode()))
    return entries


def load_entries(root: str, path_filter: str | None) -> list[dict]:
    from ..fingerprint import path_key
    from ..gitcmd import BlobReader
    from ..record import parse_record

    wanted = path_key(os.path.normpath(path_filter)) if path_filter else None
    entries = []
    with BlobReader(root) as blobs:
        for path, oid in _records_at_head(root):
            data = blobs.read(oid) or b""
            try:
                record = parse_record(data, path)
            except RecordError as exc:
                if wanted is None:
                    entries.append({"path": path, "valid": False, "error": exc.message})
                continue
            body = record.body
            files = sorted(body.fingerprint.files)
            if wanted is not None and wanted not in files and not any(f.path == wanted for f in body.findings):
                continue
            entries.append({
                "path": path,
                "valid": True,
                "id": body.id,
                "created": body.created,
                "signer": record.signature.principal,
                "author": {"name": body.author.name, "email": body.author.email},
                "branch": body.branch,
                "flagged_files": files,
                "findings": [f.to_json() for f in body.findings],
                "checklist": body.checklist.id,
                "answers": {qid: {k: v for k, v in vars(a).items() if v is not None} for qid, a in body.answers.items()},
            })
    entries.sort(key=lambda e: (e.get("created", ""), e["path"]), reverse=True)
    return entries


def run(path: str | None, format: str) -> int:
    root = gitcmd.toplevel(os.getcwd())
    if gitcmd.resolve("HEAD", root) is None:
        entries: list[dict] = []
    else:
        entries = load_entries(root, path)
    if format == "json":
        from ..report import dumps

        print(dumps({"version": 1, "records": entries}))
        return 0
    from rich.text import Text

    from ..console import out
    from ..safe import inert, one_line

    con = out()
    if not entries:
        what = f" that assessed changes to {inert(path)}" if path else ""
        con.print(Text(f"No deploycheck records{what} in HEAD's tree ({RECORDS_DIR}/)."))
        return 0
    for e in entries:
        if not e["valid"]:
            con.print(Text(f"{inert(e['path'])}: unreadable record: {one_line(e['error'], 300)}", style="red"))
            continue
        con.print(Text(f"{e['created']}  {inert(e['signer'])}  branch {inert(e['branch'])}", style="bold"))
        con.print(Text(f"  record: {inert(e['path'])}"))
        con.print(Text(f"  flagged: {', '.join(inert(p) for p in e['flagged_files']) or '(none)'}"))
        rules = sorted({f"{f['rule']} {f['name']}" for f in e["findings"]})
        if rules:
            con.print(Text(f"  findings: {'; '.join(rules)}"))
        for qid, a in e["answers"].items():
            details = f" — {one_line(a['details'], 160)}" if a.get("details") else ""
            con.print(Text(f"  {inert(qid)}: {one_line(a['answer'], 160)}{details}"))
    return 0
