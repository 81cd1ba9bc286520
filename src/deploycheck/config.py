"""`.deploycheck/config.yaml`: the repository's settings, validated strictly.

The gate reads it from the base ref (a branch cannot relax its own rules); see docs/design.md
"The gate", and docs/configuration.md for every key.
"""

from __future__ import annotations

from .util import yamlload as Y
from .errors import ConfigError
from .util.plain import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_PATH = ".deploycheck/config.yaml"
DEFAULT_ALLOWED_SIGNERS = ".deploycheck/allowed_signers"
RECORDS_DIR = ".deploycheck/records"  # here, not in records.record, so that asking costs no import
TOP_KEYS = (
    "base_branch", "exclude", "job_paths", "lock_wrappers", "rules", "checklists",
    "policy", "signing", "environments", "pr_field", "review", "test_command", "require_test_run",
)
PR_FIELD_MODES = ("required", "warn", "off")
REVIEW_WHEN = ("high", "flagged", "never")
SEVERITIES = ("info", "warning", "high")


class PolicyRule(Frozen):
    _fields = ("question", "answer", "when", "message")

    def __init__(self, question: str, answer: str, when: str = "always", message: str = "") -> None:
        self.question = question
        self.answer = answer  # the answer this rule is about ("no", "yes", "n/a")
        self.when = when  # always | high (only when a high finding exists) | flagged
        self.message = message


class Config(Frozen):
    _fields = (
        "base_branch", "exclude", "job_paths", "lock_wrappers", "disabled_rules", "severity_overrides", "checklists",
        "block", "require_details", "allowed_signers", "environments", "source",
        "pr_field", "review_required_for", "review_count", "test_command", "require_test_run",
    )

    def __init__(
        self,
        base_branch: str | None = None,
        exclude: tuple[str, ...] = (),
        job_paths: tuple[str, ...] = (),
        lock_wrappers: tuple[str, ...] = (),
        disabled_rules: tuple[str, ...] = (),
        severity_overrides: dict[str, str] | None = None,
        checklists: tuple[str, ...] = ("background-jobs",),
        block: tuple[PolicyRule, ...] = (),
        require_details: tuple[PolicyRule, ...] = (),
        allowed_signers: str = DEFAULT_ALLOWED_SIGNERS,
        environments: Any = None,  # yaml node; validated by the environment-parity module
        source: str = "(defaults)",
        pr_field: str = "warn",  # required | warn | off: the PR's "Concurrency considerations" (prfield.py)
        review_required_for: str = "never",  # high | flagged | never: when co-signed reviews are required (review.py)
        review_count: int = 1,
        test_command: str | None = None,  # what `check` runs when --run-tests is not given (testrun.py)
        require_test_run: str = "never",  # high | flagged | never: a passing recorded run is required
    ) -> None:
        self.base_branch, self.exclude, self.job_paths, self.lock_wrappers = base_branch, exclude, job_paths, lock_wrappers
        self.disabled_rules = disabled_rules
        self.severity_overrides: dict[str, str] = {} if severity_overrides is None else severity_overrides
        self.checklists, self.block, self.require_details = checklists, block, require_details
        self.allowed_signers, self.environments, self.source = allowed_signers, environments, source
        self.pr_field, self.review_required_for, self.review_count = pr_field, review_required_for, review_count
        self.test_command, self.require_test_run = test_command, require_test_run


def _policy_rules(node: Any, source: str, what: str, with_when: bool) -> tuple[PolicyRule, ...]:
    out = []
    keys = ("question", "answer", "when", "message") if with_when else ("question", "answer", "message")
    for item in Y.as_list(node, source, what):
        m = Y.as_map(item, source, f"an entry of {what}", keys, ("question", "answer"))
        when = Y.optional(m, "when", lambda n: Y.as_str(n, source, "when"), "always")
        if when not in ("always", "high", "flagged"):
            raise ConfigError(f"{Y.where(source, m['when'])}: `when` must be always, high or flagged, not '{when}'.")
        out.append(
            PolicyRule(
                question=Y.as_str(m["question"], source, "question", allow_empty=False),
                answer=Y.as_str(m["answer"], source, "answer", allow_empty=False).lower(),
                when=when,
                message=Y.optional(m, "message", lambda n: Y.as_str(n, source, "message"), ""),
            )
        )
    return tuple(out)


def parse_config_text(data: bytes | str, source: str = CONFIG_PATH) -> Config:
    root = Y.compose(data, source)
    if root is None:
        return Config(source=source)
    top = Y.as_map(root, source, "the configuration", TOP_KEYS)
    s = lambda key: (lambda n: Y.as_str(n, source, key, allow_empty=False))  # noqa: E731 - a reader factory per field kind
    sl = lambda key: (lambda n: tuple(Y.as_str_list(n, source, key)))  # noqa: E731 - a reader factory per field kind

    disabled: tuple[str, ...] = ()
    overrides: dict[str, str] = {}
    if "rules" in top:
        rules = Y.as_map(top["rules"], source, "rules", ("disable", "severity"))
        disabled = Y.optional(rules, "disable", sl("rules.disable"), ())
        if "severity" in rules:
            for rule_id, value in Y.as_map(rules["severity"], source, "rules.severity").items():
                grade = Y.as_str(value, source, f"rules.severity.{rule_id}")
                if grade not in SEVERITIES:
                    raise ConfigError(f"{Y.where(source, value)}: severity of {rule_id} must be info, warning or high, not '{grade}'.")
                overrides[rule_id] = grade
    block: tuple[PolicyRule, ...] = ()
    details: tuple[PolicyRule, ...] = ()
    if "policy" in top:
        policy = Y.as_map(top["policy"], source, "policy", ("block", "require_details"))
        if "block" in policy:
            block = _policy_rules(policy["block"], source, "policy.block", True)
        if "require_details" in policy:
            details = _policy_rules(policy["require_details"], source, "policy.require_details", False)
    signers = DEFAULT_ALLOWED_SIGNERS
    if "signing" in top:
        signing = Y.as_map(top["signing"], source, "signing", ("allowed_signers",))
        signers = Y.optional(signing, "allowed_signers", s("signing.allowed_signers"), DEFAULT_ALLOWED_SIGNERS)
    pr_field = Y.optional(top, "pr_field", s("pr_field"), "warn")
    if pr_field not in PR_FIELD_MODES:
        raise ConfigError(f"{Y.where(source, top['pr_field'])}: `pr_field` must be required, warn or off, not '{pr_field}'.")
    review_for, review_count = _review(top, source)
    require_run = Y.optional(top, "require_test_run", s("require_test_run"), "never")
    if require_run not in REVIEW_WHEN:
        raise ConfigError(f"{Y.where(source, top['require_test_run'])}: `require_test_run` must be high, flagged or never, not '{require_run}'.")
    return Config(
        test_command=Y.optional(top, "test_command", s("test_command")),
        require_test_run=require_run,
        pr_field=pr_field,
        review_required_for=review_for,
        review_count=review_count,
        base_branch=Y.optional(top, "base_branch", s("base_branch")),
        exclude=Y.optional(top, "exclude", sl("exclude"), ()),
        job_paths=Y.optional(top, "job_paths", sl("job_paths"), ()),
        lock_wrappers=Y.optional(top, "lock_wrappers", sl("lock_wrappers"), ()),
        disabled_rules=disabled,
        severity_overrides=overrides,
        checklists=Y.optional(top, "checklists", sl("checklists"), ("background-jobs",)),
        block=block,
        require_details=details,
        allowed_signers=signers,
        environments=top.get("environments"),
        source=source,
    )


def _review(top: Any, source: str) -> tuple[str, int]:
    """``review: {required_for: high | flagged | never, count: N}`` (default never, 1)."""
    if "review" not in top:
        return "never", 1
    m = Y.as_map(top["review"], source, "review", ("required_for", "count"))
    when = Y.optional(m, "required_for", lambda n: Y.as_str(n, source, "review.required_for", allow_empty=False), "never")
    if when not in REVIEW_WHEN:
        raise ConfigError(f"{Y.where(source, m['required_for'])}: `review.required_for` must be high, flagged or never, not '{when}'.")
    count = Y.optional(m, "count", lambda n: Y.as_int(n, source, "review.count", minimum=1), 1)
    if count > 20:
        raise ConfigError(f"{Y.where(source, m['count'])}: `review.count` must be at most 20, not {count}.")
    return when, count


def load_config_at(root: str, rev: str) -> Config:
    """The configuration as committed at ``rev`` (defaults when the file does not exist)."""
    from .git import gitcmd

    data = gitcmd.show_file(rev, CONFIG_PATH, root)
    if data is None:
        return Config()
    return parse_config_text(data, source=f"{CONFIG_PATH} (at {rev[:12]})")
