"""What the GitHub Action (action.yml) does around `deploycheck verify`: its step outputs, and the
opt-in sticky pull request comment (`deploycheck summary --github-comment`). docs/ci.md.

The comment is posted with the standard library only (urllib) against ``GITHUB_API_URL``: no new
dependency, and the HTTP exchange is tested against a real local server.

Trust: whether to comment is decided from the event payload GitHub writes (``GITHUB_EVENT_PATH``),
never from the branch under test. A pull request from a fork gets no comment unless the workflow
says so (``--allow-forks``): on `pull_request` its token is read-only anyway, and a workflow that
gives a fork's run a write token must opt in knowingly.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from typing import Mapping

from ..errors import UsageError
from ..util.safe import inert

# The hidden first line that identifies deploycheck's comment among the pull request's comments.
MARKER = "<!-- deploycheck:summary -->"
# The login the workflow's GITHUB_TOKEN posts as. Only a comment by this author is updated, so a
# comment someone else wrote with the marker is never taken over (nor can it hijack ours).
DEFAULT_AUTHOR = "github-actions[bot]"
# GitHub refuses comments over 65,536 characters.
MAX_BODY = 65_000
MAX_PAGES = 20
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


# ---------------------------------------------------------------- step outputs


def output_lines(verdict: Mapping | None) -> dict[str, str]:
    """The action's outputs from the `verify --json-file` document; None (verify could not decide,
    exit 2) gives ok=false and an empty ``flagged``: unknown, never "false"."""
    if not isinstance(verdict, Mapping):
        return {"ok": "false", "flagged": "", "record": ""}
    record = verdict.get("record")
    return {
        "ok": "true" if verdict.get("ok") is True else "false",
        "flagged": "true" if verdict.get("flagged") is True else "false",
        # a record's path comes from the branch: one line, controls visible
        "record": inert(record, keep_newlines=False) if isinstance(record, str) and verdict.get("ok") is True else "",
    }


def format_outputs(values: Mapping[str, str]) -> str:
    """``GITHUB_OUTPUT`` text. The ``name<<DELIMITER`` form with a random delimiter that the value
    does not contain: no value can end early and set another output."""
    out = []
    for name, value in values.items():
        delimiter = f"deploycheck_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"deploycheck_{secrets.token_hex(16)}"
        out.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(out)


def write_outputs(json_path: str, output_path: str) -> dict[str, str]:
    try:
        with open(json_path, encoding="utf-8") as fh:
            verdict = json.load(fh)
    except (OSError, ValueError):
        verdict = None
    values = output_lines(verdict)
    with open(output_path, "a", encoding="utf-8") as fh:
        fh.write(format_outputs(values))
    return values


# ---------------------------------------------------------------- the sticky comment


class CommentPlan:
    """Whether to comment, and where: ``post`` False comes with the reason, said on stderr."""

    def __init__(self, post: bool, reason: str, repo: str = "", number: int = 0) -> None:
        self.post, self.reason, self.repo, self.number = post, reason, repo, number


def plan(env: Mapping[str, str], event: object, allow_forks: bool = False) -> CommentPlan:
    """The decision, from the variables and the event payload GitHub gives the job."""
    name = env.get("GITHUB_EVENT_NAME", "").strip()
    if name != "pull_request":
        return CommentPlan(False, f"no comment: the event is {name or 'not a GitHub Actions event'}, not pull_request")
    pr = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pr, dict) or not isinstance(pr.get("number"), int) or isinstance(pr.get("number"), bool):
        return CommentPlan(False, "no comment: the event payload has no pull request number")

    def full_name(side: str) -> str | None:
        part = pr.get(side)
        repo = part.get("repo") if isinstance(part, dict) else None
        value = repo.get("full_name") if isinstance(repo, dict) else None
        return value if isinstance(value, str) else None

    base_repo = full_name("base") or env.get("GITHUB_REPOSITORY", "")
    if not _REPO.fullmatch(base_repo):
        return CommentPlan(False, "no comment: the pull request's repository is not named in the event payload")
    head_repo = full_name("head")  # None when the fork was deleted: a fork all the same
    if head_repo != base_repo and not allow_forks:
        return CommentPlan(False, "no comment: the pull request comes from a fork (allow it with --allow-forks, "
                                  "the action's `comment-on-forks: true`)")
    return CommentPlan(True, "", base_repo, pr["number"])


def body(block: str) -> str:
    """The comment: the marker, then the `summary` block (already Markdown-escaped). @-mentions are
    defused (a zero-width space after the @) so that an answer cannot notify people or teams each
    time the comment is written."""
    text = re.sub(r"@(?=[A-Za-z0-9])", "@\u200b", block)
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n\n… (cut: run `deploycheck summary` for the whole block)\n"
    return f"{MARKER}\n{text}"


class _Api:
    def __init__(self, api_url: str, token: str) -> None:
        self.api_url, self.token = api_url.rstrip("/"), token

    def call(self, method: str, path: str, payload: dict | None = None):
        import urllib.error
        import urllib.request

        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "deploycheck",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - scheme checked by post_sticky
                return json.loads(response.read(20_000_000) or b"null")
        except urllib.error.HTTPError as exc:
            hint = " (the token needs `pull-requests: write`; set it in the workflow's permissions)" if exc.code in (401, 403, 404) else ""
            raise UsageError(f"GitHub API {method} {path}: HTTP {exc.code}{hint}.") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UsageError(f"GitHub API {method} {path}: {inert(reason, keep_newlines=False)}. Check GITHUB_API_URL.") from None


def post_sticky(api_url: str, token: str, repo: str, number: int, text: str, author: str = DEFAULT_AUTHOR) -> str:
    """Create deploycheck's comment on the pull request, or update the one it wrote before.
    Returns "created", "updated" or "unchanged"."""
    if not (api_url.startswith("https://") or _LOOPBACK.match(api_url)):
        raise UsageError(f"GITHUB_API_URL {inert(api_url, keep_newlines=False)!r} is not https: the token is not sent in clear text.")
    if not _REPO.fullmatch(repo) or not token:
        raise UsageError("no repository or no token to comment with: set GITHUB_TOKEN (the action passes `github-token`).")
    api = _Api(api_url, token)
    existing = None
    for page in range(1, MAX_PAGES + 1):
        comments = api.call("GET", f"/repos/{repo}/issues/{number}/comments?per_page=100&page={page}")
        if not isinstance(comments, list):
            break
        for c in comments:
            user = c.get("user") if isinstance(c, dict) else None
            if (isinstance(user, dict) and user.get("login") == author and isinstance(c.get("body"), str)
                    and c["body"].split("\n", 1)[0].strip() == MARKER and isinstance(c.get("id"), int)):
                existing = c
                break
        if existing is not None or len(comments) < 100:
            break
    if existing is None:
        api.call("POST", f"/repos/{repo}/issues/{number}/comments", {"body": text})
        return "created"
    if existing["body"] == text:
        return "unchanged"
    api.call("PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", {"body": text})
    return "updated"


def comment_from_env(block: str, allow_forks: bool, env: Mapping[str, str] | None = None) -> str:
    """`summary --github-comment`: decide, then post; returns what was done, for stderr."""
    env = os.environ if env is None else env
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    event: object = None
    if path:
        try:
            with open(path, "rb") as fh:
                event = json.loads(fh.read(25_000_000))
        except (OSError, ValueError, RecursionError):
            raise UsageError(f"GITHUB_EVENT_PATH ({inert(path, keep_newlines=False)}) cannot be read as a JSON event payload. "
                             "Run --github-comment in a GitHub Actions job.") from None
    decided = plan(env, event, allow_forks)
    if not decided.post:
        return decided.reason
    token = env.get("DEPLOYCHECK_GITHUB_TOKEN", "").strip() or env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError("--github-comment: no token. Pass one in GITHUB_TOKEN (e.g. `env: GITHUB_TOKEN: ${{ github.token }}`) "
                         "with `permissions: pull-requests: write`.")
    api_url = env.get("GITHUB_API_URL", "").strip() or "https://api.github.com"
    author = env.get("DEPLOYCHECK_COMMENT_AUTHOR", "").strip() or DEFAULT_AUTHOR
    done = post_sticky(api_url, token, decided.repo, decided.number, body(block), author)
    return f"{done} the deploycheck comment on pull request #{decided.number}"


def main(argv: list[str]) -> int:
    """``python -m deploycheck.ghaction outputs VERDICT.json``: the action's outputs step."""
    if len(argv) == 2 and argv[0] == "outputs":
        target = os.environ.get("GITHUB_OUTPUT", "")
        if not target:
            print("deploycheck: GITHUB_OUTPUT is not set (run this in a GitHub Actions step).", file=sys.stderr)
            return 2
        write_outputs(argv[1], target)
        return 0
    print("usage: python -m deploycheck.ghaction outputs VERDICT.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
