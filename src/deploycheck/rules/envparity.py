"""Environment parity: how many jobs each environment can run at once, read from deployment files.

The incident this tool exists for passed a staging environment that ran one worker while
production ran eight: a lost update needs two workers, so staging could never show it. This
module reads what teams commit — Kubernetes manifests and kustomize overlays, Helm values files,
docker-compose files, Procfiles, and an explicit ``environments:`` block in
``.deploycheck/config.yaml`` — and works out, per environment, the *effective worker
concurrency*: processes (replicas, HPA bounds, compose scale) times the jobs each process runs
at once (``celery --concurrency``, ``sidekiq -c``, …), with the file and line of every number.

Everything here is pure (paths and a ``read`` callable in, data out) except ``discover_at``,
the edge that lists and reads the head commit's tree through git — never the working tree.

Decisions a reader may want to know (also shown to users by ``deploycheck envs``):

- Files that name no environment (``base/``, ``values.yaml``, ``docker-compose.yml``) are
  defaults that every environment with files of the same kind inherits and overrides, the way
  kustomize overlays, Helm ``-f values-prod.yaml`` and compose override files work. A bare
  ``Procfile`` is production's when only other environments have a ``Procfile.<env>``.
- With an autoscaler, production is counted at ``maxReplicas`` (what it runs under load) and a
  pre-production environment at ``minReplicas`` (what it runs when nobody is loading it).
- Several worker deployments in one environment add up. When different kinds of files disagree
  about one environment (Helm says 8, a compose file says 2), the highest is used and the
  disagreement is reported; an explicit ``environments:`` entry in the config wins over all.
- A per-process concurrency that is not written down (celery without ``--concurrency`` runs one
  process per CPU) makes the number a lower bound; parity is only claimed when it still holds.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

from ..util import yamlload as Y
from ..errors import ConfigError

PRE_PRODUCTION, PRODUCTION = "pre-production", "production"
TIERS = (PRE_PRODUCTION, PRODUCTION)
CONFIG_FILE = ".deploycheck/config.yaml"

# Built-in environments and the spellings that name them in paths and file names.
BUILTIN_ENVIRONMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("staging", PRE_PRODUCTION, ("staging", "stage", "stg")),
    ("preprod", PRE_PRODUCTION, ("preprod", "pre-prod", "pre_prod", "preproduction", "pre-production")),
    ("uat", PRE_PRODUCTION, ("uat",)),
    ("production", PRODUCTION, ("production", "prod", "prd", "live")),
)
# Spellings that contain a production spelling but name no environment ("non-prod" is not prod).
_NOT_AN_ENVIRONMENT = ("nonprod", "non-prod", "non_prod", "nonproduction", "non-production")

WORKER_WORDS = ("worker", "celery", "consumer", "queue", "jobs", "sidekiq", "dramatiq", "huey", "delayed_job", "good_job")
WORKER_TOKENS = ("rq", "job")  # only as a whole word: "rq" inside other words means nothing
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "Rollout", "DeploymentConfig")
KIND_LABELS = {
    "kubernetes": "Kubernetes",
    "helm": "Helm values",
    "compose": "docker-compose",
    "procfile": "Procfile",
    "config": "declared in config",
}

MAX_CANDIDATES = 400  # deployment files read per discovery; a repository with more is unusual
MAX_FILE_BYTES = 1_000_000

_SKIP_DIRS = {"templates", "node_modules", "vendor", ".git", ".github", ".gitlab", ".deploycheck", "site-packages", "tests", "test", "fixtures", "testdata"}
_DEPLOY_DIRS = {
    "k8s", "kubernetes", "kube", "kustomize", "manifests", "deploy", "deployment", "deployments",
    "overlays", "base", "helm", "charts", "chart", "infra", "ops", "environments", "envs", "env",
    "values",
}


# --- environment names ---------------------------------------------------------------------


@dataclass(frozen=True)
class EnvSpec:
    name: str
    tier: str
    spellings: tuple[str, ...]


@lru_cache(maxsize=None)  # called for every path in the tree, with a handful of spellings
def _spelling_pattern(spelling: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(spelling.lower()) + r"(?![a-z0-9])")


def environment_of(path: str, specs: Iterable[EnvSpec]) -> str | None:
    """The environment a path names (``overlays/staging/x.yaml``, ``values-prod.yaml``), or None.

    Spellings match whole words between separators; a longer match hides the shorter ones it
    contains ("pre-prod" is not "prod"), and the match nearest the end of the path wins, since
    the file name is more specific than the folders above it.
    """
    text = path.lower()
    specs = tuple(specs)
    # Each spelling's pattern matches only where the spelling itself stands: most paths of a
    # tree hold none, and a plain substring test (in C) says so without a regular expression.
    if not any(sp.lower() in text for spec in specs for sp in spec.spellings) and not any(
            sp in text for sp in _NOT_AN_ENVIRONMENT):
        return None
    matches: list[tuple[int, int, str | None]] = []
    for spec in specs:
        for spelling in spec.spellings:
            matches += [(m.start(), m.end(), spec.name) for m in _spelling_pattern(spelling).finditer(text)]
    for spelling in _NOT_AN_ENVIRONMENT:
        matches += [(m.start(), m.end(), None) for m in _spelling_pattern(spelling).finditer(text)]
    kept = [m for m in matches if not any(o != m and o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0]) for o in matches)]
    if not kept:
        return None
    return max(kept, key=lambda m: (m[1], m[1] - m[0]))[2]


def tier_of_name(name: str) -> str | None:
    key = name.lower()
    for _, tier, spellings in BUILTIN_ENVIRONMENTS:
        if key in spellings:
            return tier
    return None


# --- values, units, environments -----------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One number read from a file: where it is and how a reviewer would read it."""

    value: int
    path: str
    line: int
    key: str  # where in the file: "spec.replicas", "worker.concurrency", "web" (a Procfile entry)
    label: str  # what it means: "replicas", "celery --concurrency", "HPA maxReplicas"

    def to_json(self, role: str, unit: str, kind: str) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "key": self.key, "label": self.label,
                "value": self.value, "role": role, "unit": unit, "kind": kind}


@dataclass
class Unit:
    """One kind of worker process in one environment: a Deployment, a compose service, a Procfile
    entry. Also used for partial definitions (a base manifest, an overlay patch) before merging."""

    kind: str  # kubernetes | helm | compose | procfile | config
    name: str
    anchor: tuple[str, int]  # where it is defined: the line a default refers to
    role: str | None = None  # worker | web | None (not known to be either yet)
    processes: Value | None = None
    concurrency: Value | None = None
    concurrency_unknown: str = ""  # why the per-process concurrency is not known
    config_file: str = ""  # where the worker's own configuration may set it (CommandInfo.config_file)
    hpa_min: Value | None = None
    hpa_max: Value | None = None
    notes: list[str] = field(default_factory=list)

    def processes_for(self, tier: str) -> Value:
        if self.hpa_max is not None and tier == PRODUCTION:
            return self.hpa_max
        if self.hpa_min is not None and tier == PRE_PRODUCTION:
            return self.hpa_min
        if self.processes is not None:
            return self.processes
        path, line = self.anchor
        default = "1 process" if self.kind == "procfile" else "default 1 (no replicas set)"
        return Value(1, path, line, self.name, default)


@dataclass
class UnitTotal:
    unit: Unit
    processes: Value
    concurrency: Value | None  # None: not known (see unit.concurrency_unknown)

    @property
    def workers(self) -> int:
        return self.processes.value * (self.concurrency.value if self.concurrency else 1)

    @property
    def exact(self) -> bool:
        return self.concurrency is not None

    def explain(self) -> str:
        """``deploy/x.yaml: replicas 1 × celery --concurrency 1`` (each file named once)."""
        p, c = self.processes, self.concurrency
        text = f"{p.path}: {p.label} {p.value}" if not p.label.startswith(("default", "1 process")) else f"{p.path}: {p.label}"
        if c is not None and not c.label:  # a declared total: nothing to multiply
            return text
        if c is None:
            return f"{text} × {self.unit.concurrency_unknown or 'per-process concurrency not set'}"
        where = "" if c.path == p.path else f"{c.path}: "
        return f"{text} × {where}{c.label} {c.value}"


@dataclass
class Environment:
    name: str
    tier: str
    kind: str  # the kind of files the number comes from
    units: list[UnitTotal]
    notes: list[str] = field(default_factory=list)
    alternatives: dict[str, int] = field(default_factory=dict)  # other kinds' totals (ambiguity)
    web: list[UnitTotal] = field(default_factory=list)

    @property
    def workers(self) -> int:
        return sum(u.workers for u in self.units)

    @property
    def processes(self) -> int:
        return sum(u.processes.value for u in self.units)

    @property
    def exact(self) -> bool:
        return all(u.exact for u in self.units)

    @property
    def only_concurrency_unknown(self) -> bool:
        return all(not u.exact for u in self.units)

    def sources(self) -> list[tuple[Value, str, UnitTotal]]:
        out = []
        for u in self.units + self.web:
            out.append((u.processes, "processes", u))
            if u.concurrency is not None:
                out.append((u.concurrency, "concurrency", u))
        return out

    def paths(self) -> set[str]:
        return {v.path for v, _, _ in self.sources()}

    def anchor(self) -> Value:
        """The value a finding points at: the processes of the largest unit."""
        return max(self.units, key=lambda u: u.workers).processes

    def describe(self) -> str:
        """``1 worker (deploy/…: replicas 1 × celery --concurrency 1)``."""
        if not self.units:
            return "no job workers found"
        count = self.workers
        noun = "worker" if count == 1 else "workers"
        bound = "" if self.exact else "at least "
        return f"{bound}{count} {noun} ({'; '.join(u.explain() for u in self.units)})"

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "workers": self.workers,
            "exact": self.exact,
            "processes": self.processes,
            "from": self.kind,
            "combined": self.describe(),
            "units": [
                {"kind": u.unit.kind, "name": u.unit.name, "role": u.unit.role, "processes": u.processes.value,
                 "concurrency": u.concurrency.value if u.concurrency else None, "workers": u.workers}
                for u in self.units + self.web
            ],
            "sources": [v.to_json(role, u.unit.name, u.unit.kind) for v, role, u in self.sources()],
            "alternatives": dict(self.alternatives),
            "notes": list(self.notes),
        }


@dataclass
class Parity:
    status: str  # mismatch | ok | unknown
    message: str
    pre_production: Environment | None = None
    production: Environment | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "pre_production": self.pre_production.name if self.pre_production else None,
            "production": self.production.name if self.production else None,
            "message": self.message,
        }


@dataclass
class Discovery:
    environments: dict[str, Environment]
    parity: Parity
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    read: list[str] = field(default_factory=list)  # candidate files read


# --- reading YAML -------------------------------------------------------------------------

_DOC_BOUNDARY = re.compile(r"^(?:---|\.\.\.)\s*(?:#.*)?$")


def compose_documents(data: bytes, path: str) -> list[Any]:
    """Every document of a (possibly multi-document) YAML file, with file-absolute line numbers.

    yamlload composes one document; manifests often hold several separated by ``---``. Each
    chunk is padded with the newlines before it so that line marks stay true to the file.
    """
    if len(data) > MAX_FILE_BYTES:
        raise Y.YamlError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Y.YamlError(f"{path} is not UTF-8") from None
    lines = text.split("\n")
    docs, start = [], 0
    for i, line in enumerate(lines + ["---"]):
        if _DOC_BOUNDARY.match(line):
            chunk = "\n".join(lines[start:i])
            if chunk.strip():
                node = Y.compose("\n" * start + chunk, path, merges=True)  # an application's config: Rails' `<<: *default`
                if node is not None:
                    docs.append(node)
            start = i + 1
    return docs


def _map(node: Any) -> dict[str, Any] | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return {k.value: v for k, v in node.value}
    return None


def _seq(node: Any) -> list[Any]:
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _text(node: Any) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def _int(node: Any) -> int | None:
    """A whole number written as one (``8``) or as digits in a string (``"8"``, common in Helm)."""
    text = _text(node)
    if text is None or node.tag.endswith(":bool"):
        return None
    text = text.strip()
    return int(text) if _digits(text) and len(text) < 7 else None


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # "²".isdigit() is true, and int("²") fails


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        m = _map(node)
        if m is None or key not in m:
            return None
        node = m[key]
    return node


def _value(node: Any, path: str, key: str, label: str) -> Value | None:
    number = _int(node)
    return Value(number, path, _line(node), key, label) if number is not None else None


# --- worker commands -----------------------------------------------------------------------


@dataclass(frozen=True)
class CommandInfo:
    role: str | None  # worker | web | None
    program: str = ""
    concurrency: Value | None = None
    unknown: str = ""  # why the concurrency is unknown
    config_file: str = ""  # the file that may set it (Sidekiq's `-C`, else config/sidekiq.yml)


def _option(tokens: list[tuple[str, int]], names: tuple[str, ...]) -> tuple[str, int] | None:
    """The value of ``--name N``, ``--name=N``, ``-c N`` or ``-cN`` among ``tokens``."""
    for i, (tok, line) in enumerate(tokens):
        for name in names:
            if tok == name and i + 1 < len(tokens):
                return tokens[i + 1]
            if name.startswith("--") and tok.startswith(name + "="):
                return tok[len(name) + 1:], line
            if len(name) == 2 and tok.startswith(name) and len(tok) > 2 and _digits(tok[2:]):
                return tok[2:], line
    return None


def parse_command(tokens: list[tuple[str, int]], path: str, key: str) -> CommandInfo:
    """What a process command runs and with how many jobs at once, from its words and lines.

    Words are split again on whitespace, so ``sh -c "celery … -c 4"`` reads like the bare
    command; options are only read after the program's name (``sh -c`` is not ``celery -c``).
    """
    words = [(w, line) for tok, line in tokens for w in _split(tok)]
    for _ in range(3):  # `sh -c "celery …"`: a quoted word holding a whole command
        words = [(w, line) for tok, line in words for w in (_split(tok) if any(c.isspace() for c in tok) else [tok])]
    names = [w.rsplit("/", 1)[-1].lower() for w, _ in words]

    def after(i: int) -> list[tuple[str, int]]:
        return words[i + 1:]

    def number(found: tuple[str, int] | None, label: str) -> Value | None:
        if found is None or not _digits(found[0]) or len(found[0]) > 6:
            return None  # absent, or a variable ($CONCURRENCY) whose value is set elsewhere
        return Value(int(found[0]), path, found[1], key, label)

    for i, name in enumerate(names):
        rest = after(i)
        rest_names = [w.lower() for w, _ in rest]
        if name == "celery" and "worker" in rest_names:
            pool = _option(rest, ("--pool", "-P"))
            if pool is not None and pool[0] == "solo":
                return CommandInfo("worker", "celery", Value(1, path, pool[1], key, "celery --pool solo"))
            autoscale = _option(rest, ("--autoscale",))
            if autoscale is not None and _digits(autoscale[0].split(",")[0]) and len(autoscale[0].split(",")[0]) < 7:
                return CommandInfo("worker", "celery", Value(int(autoscale[0].split(",")[0]), path, autoscale[1], key, "celery --autoscale max"))
            found = number(_option(rest, ("--concurrency", "-c")), "celery --concurrency")
            return CommandInfo("worker", "celery", found, "" if found else "celery --concurrency not set (one process per CPU)")
        if name == "rq" and rest_names[:1] == ["worker"]:
            return CommandInfo("worker", "rq", Value(1, path, rest[0][1], key, "rq worker (one job at a time)"))
        if name == "rq" and rest_names[:1] == ["worker-pool"]:
            found = number(_option(rest, ("--num-workers", "-n")), "rq worker-pool --num-workers")
            return CommandInfo("worker", "rq", found, "" if found else "rq worker-pool --num-workers not set")
        if name == "dramatiq":
            procs = number(_option(rest, ("--processes", "-p")), "dramatiq --processes")
            threads = number(_option(rest, ("--threads", "-t")), "dramatiq --threads")
            if procs and threads:
                return CommandInfo("worker", "dramatiq", Value(procs.value * threads.value, path, procs.line, key, "dramatiq --processes × --threads"))
            return CommandInfo("worker", "dramatiq", None, "dramatiq --processes/--threads not both set")
        if name == "sidekiq":
            found = number(_option(rest, ("--concurrency", "-c")), "sidekiq --concurrency")
            config = _option(rest, ("--config", "-C"))
            return CommandInfo("worker", "sidekiq", found, "" if found else "sidekiq --concurrency not set",
                               config[0] if config is not None else SIDEKIQ_CONFIG)
        # delayed_job: `rake jobs:work` (or `rails jobs:work`) runs one job at a time; its daemon
        # script runs `-n` such workers (upcase's Procfile, a new user's trial, session 34).
        if name in ("rake", "rails") and rest_names[:1] == ["jobs:work"]:
            return CommandInfo("worker", "delayed_job", Value(1, path, rest[0][1], key, "delayed_job jobs:work (one job at a time)"))
        if name == "delayed_job" and ("start" in rest_names or "run" in rest_names):
            found = number(_option(rest, ("--number_of_workers", "-n")), "delayed_job -n")
            return CommandInfo("worker", "delayed_job", found or Value(1, path, words[i][1], key, "delayed_job (1 worker by default)"))
        if name == "good_job" and rest_names[:1] == ["start"]:
            found = number(_option(rest, ("--max-threads", "--max_threads")), "good_job --max-threads")
            return CommandInfo("worker", "good_job", found, "" if found else "good_job --max-threads not set (5 by default, or GOOD_JOB_MAX_THREADS)")
        if name in ("huey_consumer", "huey_consumer.py") or (name == "run_huey"):
            found = number(_option(rest, ("--workers", "-w")), "huey --workers")
            return CommandInfo("worker", "huey", found or Value(1, path, words[i][1], key, "huey consumer (1 worker by default)"))
        if name == "gunicorn":
            found = number(_option(rest, ("--workers", "-w")), "gunicorn --workers")
            return CommandInfo("web", "gunicorn", found, "" if found else "gunicorn --workers not set")
    return CommandInfo(None)


def _apply_command(unit: Unit, info: CommandInfo) -> None:
    """What a worker's command says of its concurrency, onto its unit."""
    unit.concurrency, unit.concurrency_unknown, unit.config_file = info.concurrency, info.unknown, info.config_file


# Sidekiq reads its concurrency from this file when its command does not set it (plots2's
# `:concurrency: 1`, which `envs` called unknown: a new user's trial, session 38). Its keys are
# written with or without a leading colon, at the top level or under the environment's name.
SIDEKIQ_CONFIG = "config/sidekiq.yml"


def _configured_concurrency(unit: Unit, env: str | None, read: Callable[[str], bytes | None]) -> None:
    """``unit``'s concurrency from the configuration file its command reads (``config_file``),
    when the command left it unknown: the environment's own section first, then the top level."""
    path = unit.config_file.removeprefix("./")
    data = read(path) if unit.concurrency is None and path else None
    if data is None:
        return
    try:
        docs = compose_documents(data, path)
    except Y.YamlError:
        unit.concurrency_unknown += f"; {path} could not be read as YAML"
        return
    doc = docs[0] if docs else None
    for section in ([f":{env}", env] if env else []) + [None]:
        node = _get(doc, section) if section else doc
        for key in (":concurrency", "concurrency"):
            found = _get(node, key)
            if found is None:
                continue
            where = f"{section}.{key}" if section else key
            value = _value(found, path, where, f"sidekiq {key}")
            if value is not None:
                unit.concurrency, unit.concurrency_unknown = value, ""
            else:
                unit.concurrency_unknown = f"{path}:{_line(found)} sets it from the environment or ERB, not as a number"
            return
    unit.concurrency_unknown = f"sidekiq --concurrency not set, nor in {path} (Sidekiq's default: 5 since 7.0, 10 before)"


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _command_tokens(*nodes: Any) -> list[tuple[str, int]]:
    """Words of ``command``/``args`` nodes (a string or a list of strings), with their lines."""
    out: list[tuple[str, int]] = []
    for node in nodes:
        if node is None:
            continue
        items = _seq(node) or [node]
        for item in items:
            text = _text(item)
            if text is not None:
                out.append((text, _line(item)))
    return out


def is_workerish(name: str) -> bool:
    low = name.lower()
    if any(word in low for word in WORKER_WORDS):
        return True
    return any(tok in WORKER_TOKENS for tok in re.split(r"[^a-z0-9]+", low))


# --- parsers: one per kind of file ----------------------------------------------------------


@dataclass
class Fragment:
    """A partial unit read from one file, for one environment or for all (``env`` None)."""

    env: str | None
    unit: Unit


def _container_info(pod_spec: Any, path: str, key: str) -> tuple[CommandInfo, Value | None]:
    """The worker command of a pod's containers, and a ``*CONCURRENCY`` environment variable."""
    best = CommandInfo(None)
    env_value: Value | None = None
    for index, container in enumerate(_seq(_get(pod_spec, "containers"))):
        ckey = f"{key}.containers[{index}]"
        parts = [k for k in ("command", "args") if _get(container, k) is not None]
        info = parse_command(_command_tokens(_get(container, "command"), _get(container, "args")), path, f"{ckey}.{'+'.join(parts)}")
        if info.role == "worker" or (info.role and best.role is None):
            best = info
        for var in _seq(_get(container, "env")):
            name = _text(_get(var, "name")) or ""
            if name.upper().endswith("CONCURRENCY"):
                env_value = env_value or _value(_get(var, "value"), path, f"{ckey}.env.{name}", name)
    return best, env_value


def k8s_fragments(doc: Any, path: str, env: str | None) -> list[Fragment]:
    kind = _text(_get(doc, "kind")) or ""
    name = _text(_get(doc, "metadata", "name")) or ""
    if not name and kind not in ("Kustomization",):
        return []
    if kind in WORKLOAD_KINDS:
        unit = Unit("kubernetes", name, (path, _line(_get(doc, "metadata", "name"))))
        unit.processes = _value(_get(doc, "spec", "replicas"), path, "spec.replicas", "replicas")
        info, env_value = _container_info(_get(doc, "spec", "template", "spec"), path, "spec.template.spec")
        unit.role = info.role or ("worker" if is_workerish(name) else None)
        if info.role == "worker":
            _apply_command(unit, info)
            if unit.concurrency is None and env_value is not None:  # a `*CONCURRENCY` variable says it
                unit.concurrency, unit.concurrency_unknown = env_value, ""
        elif env_value is not None:
            unit.concurrency = env_value
        elif info.role == "web":
            _apply_command(unit, info)
        return [Fragment(env, unit)]
    if kind == "HorizontalPodAutoscaler":
        target = _text(_get(doc, "spec", "scaleTargetRef", "name"))
        if not target:
            return []
        unit = Unit("kubernetes", target, (path, _line(_get(doc, "metadata", "name"))))
        unit.hpa_min = _value(_get(doc, "spec", "minReplicas"), path, "spec.minReplicas", "HPA minReplicas") or Value(1, path, _line(_get(doc, "spec")), "spec", "HPA minReplicas (default)")
        unit.hpa_max = _value(_get(doc, "spec", "maxReplicas"), path, "spec.maxReplicas", "HPA maxReplicas")
        return [Fragment(env, unit)] if unit.hpa_max else []
    return []


def kustomization_fragments(doc: Any, path: str, env: str | None) -> list[Fragment]:
    """``replicas: [{name: worker, count: 8}]`` in a kustomization.yaml."""
    out = []
    for index, entry in enumerate(_seq(_get(doc, "replicas"))):
        name = _text(_get(entry, "name"))
        count = _value(_get(entry, "count"), path, f"replicas[{index}].count", "kustomize replicas")
        if name and count:
            out.append(Fragment(env, Unit("kubernetes", name, (path, count.line), processes=count)))
    return out


_NOT_WORKERS = {"redis", "rabbitmq", "broker", "postgres", "postgresql", "db", "database", "memcached", "kafka", "zookeeper", "image", "resources", "service"}
_UNIT_KEYS = ("replicaCount", "replicas", "concurrency", "autoscaling", "command", "args")


def helm_fragments(doc: Any, path: str, env: str | None) -> list[Fragment]:
    """Worker settings in a Helm values file: any mapping under a worker-like key
    (``worker:``, ``celery: {worker: …}``) with ``replicaCount``/``replicas``/``concurrency``/
    ``autoscaling``/``command``/``args``; a top-level ``replicaCount`` only in a worker chart."""
    out: list[Fragment] = []

    def visit(node: Any, keys: list[str], depth: int) -> None:
        m = _map(node)
        if m is None or depth > 6:
            return
        dotted = ".".join(keys)
        workerish = (bool(keys) and is_workerish(keys[-1])) or (
            len(keys) > 1 and is_workerish(keys[-2]) and keys[-1].lower() not in _NOT_WORKERS
        ) or (not keys and is_workerish(path.rsplit("/", 1)[0] if "/" in path else ""))
        if workerish and any(k in m for k in _UNIT_KEYS):
            unit = Unit("helm", dotted or "(chart)", (path, _line(node)), role="worker")
            prefix = f"{dotted}." if dotted else ""
            unit.processes = (_value(m.get("replicaCount"), path, prefix + "replicaCount", prefix + "replicaCount")
                              or _value(m.get("replicas"), path, prefix + "replicas", prefix + "replicas"))
            unit.concurrency = _value(m.get("concurrency"), path, prefix + "concurrency", prefix + "concurrency")
            info = parse_command(_command_tokens(m.get("command"), m.get("args")), path, prefix + "command")
            if unit.concurrency is None and info.role == "worker":
                _apply_command(unit, info)
            scaling = _map(m.get("autoscaling"))
            if scaling is not None and _text(scaling.get("enabled")) not in ("false", "False"):
                unit.hpa_min = _value(scaling.get("minReplicas"), path, prefix + "autoscaling.minReplicas", "autoscaling.minReplicas")
                unit.hpa_max = _value(scaling.get("maxReplicas"), path, prefix + "autoscaling.maxReplicas", "autoscaling.maxReplicas")
                if unit.hpa_max is None:
                    unit.hpa_min = None
            out.append(Fragment(env, unit))
        for key, child in m.items():
            if key != "autoscaling":
                visit(child, keys + [key], depth + 1)

    visit(doc, [], 0)
    return out


def compose_fragments(doc: Any, path: str, env: str | None) -> list[Fragment]:
    out = []
    for name, service in (_map(_get(doc, "services")) or {}).items():
        if _map(service) is None:
            continue
        info = parse_command(_command_tokens(_get(service, "command"), _get(service, "entrypoint")), path, f"services.{name}.command")
        key = f"services.{name}"
        unit = Unit("compose", name, (path, _line(service)), role=info.role or ("worker" if is_workerish(name) else None))
        unit.processes = (_value(_get(service, "deploy", "replicas"), path, f"{key}.deploy.replicas", "deploy.replicas")
                          or _value(_get(service, "scale"), path, f"{key}.scale", "scale"))
        if info.role:
            _apply_command(unit, info)
        out.append(Fragment(env, unit))
    return out


def procfile_fragments(data: bytes, path: str, env: str | None) -> list[Fragment]:
    out = []
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        m = re.match(r"^\s*([A-Za-z0-9_-]+)\s*:\s*(.+)$", raw)
        if not m or raw.lstrip().startswith("#"):
            continue
        name, command = m.group(1), m.group(2)
        info = parse_command([(command, number)], path, name)
        role = info.role or ("worker" if is_workerish(name) else None)
        unit = Unit("procfile", name, (path, number), role=role,
                    notes=["each Procfile entry counts as 1 process: the dyno count is set outside the repository"])
        if info.role:
            _apply_command(unit, info)
        elif role:
            unit.concurrency_unknown = "the command's concurrency is not recognised"
        out.append(Fragment(env, unit))
    return out


# --- choosing and reading candidate files --------------------------------------------------

_COMPOSE = re.compile(r"(^|[-_.])compose([-_.].*)?\.ya?ml$")
_HELM_VALUES = re.compile(r"^(values([-_.].+)?|.+[-_.]values)\.ya?ml$")
_PROCFILE = re.compile(r"^procfile([-_.].+)?$")
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml", "kustomization")


def candidate_kind(path: str, specs: Iterable[EnvSpec]) -> str | None:
    """Which parser a file at ``path`` is for, judged by its name alone (no reading)."""
    parts = path.lower().split("/")
    name = parts[-1]
    if any(p in _SKIP_DIRS for p in parts[:-1]):
        return None
    if _PROCFILE.match(name):
        return "procfile"
    if not name.endswith((".yaml", ".yml")) and name not in _KUSTOMIZATION:
        return None
    if _COMPOSE.search(name):
        return None if "override" in name else "compose"
    if name in _KUSTOMIZATION:
        return "kustomization"
    if _HELM_VALUES.match(name) or (len(parts) > 1 and parts[-2] in ("values", "helm-values")):
        return "helm"
    if any(p in _DEPLOY_DIRS for p in parts[:-1]) or is_workerish(name) or environment_of(path, specs):
        return "kubernetes"
    return None


def fragments_of(kind: str, data: bytes, path: str, env: str | None) -> list[Fragment]:
    if kind == "procfile":
        return procfile_fragments(data, path, env)
    out: list[Fragment] = []
    for doc in compose_documents(data, path):
        if kind == "compose":
            out += compose_fragments(doc, path, env)
        elif kind == "helm":
            out += helm_fragments(doc, path, env)
        elif kind == "kustomization":
            out += kustomization_fragments(doc, path, env)
        elif _get(doc, "kind") is not None:
            out += k8s_fragments(doc, path, env or _namespace_env(doc))
    return out


def _namespace_env(doc: Any) -> str | None:
    namespace = _text(_get(doc, "metadata", "namespace"))
    return environment_of(namespace, _builtin_specs()) if namespace else None


# --- merging fragments into environments ---------------------------------------------------

_FIELDS = ("processes", "concurrency", "hpa_min", "hpa_max")


def _merge(target: Unit, patch: Unit, conflicts: dict[str, set[str]], from_env: bool) -> None:
    """Overlay ``patch`` on ``target``. Two environment files setting one field differently
    (``values-prod.yaml`` and ``values-production.yaml``) is a conflict: keep the higher, say so."""
    for name in _FIELDS:
        new: Value | None = getattr(patch, name)
        if new is None:
            continue
        old: Value | None = getattr(target, name)
        key = f"{target.name}.{name}"
        if from_env and old is not None and old.path in conflicts.get(key, ()) and old.path != new.path and old.value != new.value:
            keep, other = (old, new) if old.value >= new.value else (new, old)
            target.notes.append(
                f"ambiguous: {other.path}:{other.line} sets {other.label} {other.value} but "
                f"{keep.path}:{keep.line} sets {keep.value}; using {keep.value} (the higher)"
            )
            setattr(target, name, keep)
        else:
            setattr(target, name, new)
        if from_env:
            conflicts.setdefault(key, set()).add(new.path)
    if patch.concurrency is not None:
        target.concurrency_unknown = ""
    elif patch.concurrency_unknown and target.concurrency is None:
        target.concurrency_unknown = patch.concurrency_unknown
    if target.role != "worker" and patch.role is not None:
        target.role = patch.role
    if from_env:
        target.anchor = patch.anchor


def merge_kind(fragments: list[Fragment], env_files: set[str], kind: str) -> dict[str, list[Unit]]:
    """Per environment, the units of one kind: the defaults (fragments without an environment)
    overlaid with that environment's fragments, by unit name."""
    base = [f for f in fragments if f.env is None]
    out: dict[str, list[Unit]] = {}
    for env in sorted(env_files):
        units: dict[str, Unit] = {}
        conflicts: dict[str, set[str]] = {}
        if kind != "procfile":  # a Procfile.<env> replaces the Procfile, it does not extend it
            for frag in base:
                if frag.unit.name in units:
                    _merge(units[frag.unit.name], frag.unit, conflicts, from_env=False)
                else:
                    units[frag.unit.name] = replace(frag.unit, notes=list(frag.unit.notes))
        for frag in (f for f in fragments if f.env == env):
            if frag.unit.name not in units:
                units[frag.unit.name] = replace(frag.unit, notes=list(frag.unit.notes))
                for name in _FIELDS:
                    if getattr(frag.unit, name) is not None:
                        conflicts.setdefault(f"{frag.unit.name}.{name}", set()).add(frag.unit.anchor[0])
            else:
                _merge(units[frag.unit.name], frag.unit, conflicts, from_env=True)
        out[env] = [u for u in units.values() if u.role is not None]
    return out


# --- explicit configuration ---------------------------------------------------------------


@dataclass
class Declared:
    name: str
    tier: str
    spellings: tuple[str, ...]
    workers: list[tuple[Any, str]] = field(default_factory=list)  # (node, "int" | "ref")


def _builtin_specs() -> list[EnvSpec]:
    return [EnvSpec(name, tier, spellings) for name, tier, spellings in BUILTIN_ENVIRONMENTS]


def parse_declared(node: Any, source: str) -> list[Declared]:
    """Validate the ``environments:`` block of the config (ConfigError names file and line)."""
    if node is None:
        return []
    out = []
    for name, body in Y.as_map(node, source, "environments").items():
        what = f"environments.{name}"
        m = Y.as_map(body, source, what, ("workers", "aliases", "tier"))
        aliases = tuple(a.lower() for a in Y.optional(m, "aliases", lambda n: Y.as_str_list(n, source, f"{what}.aliases"), []))  # noqa: B023 - Y.optional calls it at once
        tier = Y.optional(m, "tier", lambda n: Y.as_str(n, source, f"{what}.tier"), None)  # noqa: B023 - Y.optional calls it at once
        if tier is None:
            tier = next((t for t in map(tier_of_name, (name, *aliases)) if t), None)
        if tier not in TIERS:
            where = Y.where(source, m.get("tier", body))
            raise ConfigError(
                f"{where}: cannot tell whether environment '{name}' is pre-production or production. "
                f"Add `tier: pre-production` or `tier: production` under {what}."
            )
        workers: list[tuple[Any, str]] = []
        if "workers" in m:
            items = _seq(m["workers"]) or [m["workers"]]
            for item in items:
                if _text(item) is None:
                    raise ConfigError(f"{Y.where(source, item)}: {what}.workers must be a whole number or FILE#key.path (or a list of them, multiplied), not {Y.kind(item)}.")
                if _int(item) is not None and item.tag.endswith(":int"):
                    Y.as_int(item, source, f"{what}.workers", minimum=1)
                    workers.append((item, "int"))
                elif "#" in item.value and item.value.split("#", 1)[0] and item.value.split("#", 1)[1]:
                    workers.append((item, "ref"))
                else:
                    raise ConfigError(
                        f"{Y.where(source, item)}: {what}.workers is '{item.value}'; write a whole number (`workers: 8`) "
                        "or point at a value in a YAML file as FILE#key.path (`deploy/values-prod.yaml#worker.replicas`)."
                    )
        out.append(Declared(name, tier, (name.lower(), *aliases), workers))
    return out


def env_specs(declared: list[Declared]) -> list[EnvSpec]:
    """Built-in environments, with declared ones replacing a built-in they share a spelling with."""
    specs = _builtin_specs()
    for d in declared:
        absorbed = [s for s in specs if set(s.spellings) & set(d.spellings)]
        spellings = tuple(dict.fromkeys([*d.spellings, *(sp for s in absorbed for sp in s.spellings)]))
        specs = [s for s in specs if s not in absorbed] + [EnvSpec(d.name, d.tier, spellings)]
    return specs


def _resolve_ref(item: Any, ref: str, source: str, read: Callable[[str], bytes | None], what: str) -> Value:
    file, _, key_path = ref.partition("#")
    data = read(file)
    if data is None:
        raise ConfigError(f"{Y.where(source, item)}: {what} points at {file}, which does not exist in the head commit. Fix the path (relative to the repository root).")
    try:
        docs = compose_documents(data, file)
    except ConfigError as exc:
        raise ConfigError(f"{Y.where(source, item)}: {what} points at {file}, which cannot be read: {exc.message}") from None
    node = docs[0] if docs else None
    for part in re.findall(r"[^.\[\]]+", key_path):
        m = _map(node)
        if m is not None and part in m:
            node = m[part]
        elif _digits(part) and int(part) < len(_seq(node)):
            node = _seq(node)[int(part)]
        else:
            raise ConfigError(f"{Y.where(source, item)}: {what} points at {file}#{key_path}, but {file} has no '{part}' there. Check the key path (dots between keys, [0] for list items).")
    value = _value(node, file, key_path, key_path)
    if value is None:
        raise ConfigError(f"{Y.where(source, item)}: {what} points at {file}#{key_path} ({Y.where(file, node)}), which is not a whole number.")
    return value


def declared_environment(d: Declared, source: str, read: Callable[[str], bytes | None]) -> Environment | None:
    if not d.workers:
        return None
    values = []
    for item, how in d.workers:
        if how == "int":
            values.append(Value(_int(item) or 0, CONFIG_FILE, _line(item), f"environments.{d.name}.workers", "workers"))
        else:
            values.append(_resolve_ref(item, item.value, source, read, f"environments.{d.name}.workers"))
    unit = Unit("config", d.name, (values[0].path, values[0].line), role="worker")
    processes, factors = values[0], values[1:]
    concurrency = factors[0] if factors else Value(1, processes.path, processes.line, processes.key, "")
    for extra in factors[1:]:
        concurrency = Value(concurrency.value * extra.value, concurrency.path, concurrency.line, concurrency.key,
                            f"{concurrency.label} × {extra.path}: {extra.label}")
    total = UnitTotal(unit, processes, concurrency)
    env = Environment(d.name, d.tier, "config", [total])
    env.notes.append(f"declared in {CONFIG_FILE}")
    return env


# --- the whole discovery ---------------------------------------------------------------------


def discover(
    paths: Iterable[str],
    read: Callable[[str], bytes | None],
    environments_node: Any = None,
    config_source: str = CONFIG_FILE,
) -> Discovery:
    """Per-environment worker concurrency from the files at ``paths`` (read through ``read``)."""
    declared = parse_declared(environments_node, config_source)
    specs = env_specs(declared)
    tiers = {s.name: s.tier for s in specs}
    fragments: dict[str, list[Fragment]] = {}
    env_files: dict[str, set[str]] = {}
    skipped: list[tuple[str, str]] = []
    read_paths: list[str] = []
    procfile_envs: dict[str, str] = {}
    candidates = sorted((p, k) for p in paths if (k := candidate_kind(p, specs)))
    if len(candidates) > MAX_CANDIDATES:
        skipped += [(p, f"more than {MAX_CANDIDATES} deployment-like files; declare environments in {CONFIG_FILE}") for p, _ in candidates[MAX_CANDIDATES:]]
        candidates = candidates[:MAX_CANDIDATES]
    for path, kind in candidates:
        env = environment_of(path, specs)
        data = read(path)
        if data is None:
            continue
        read_paths.append(path)
        group = "kubernetes" if kind == "kustomization" else kind
        try:
            found = fragments_of(kind, data, path, env)
        except ConfigError as exc:
            skipped.append((path, exc.message))
            continue
        if kind == "procfile":
            procfile_envs[path] = env or ""
        fragments.setdefault(group, []).extend(found)
        if env is not None:
            env_files.setdefault(group, set()).add(env)
        env_files.setdefault(group, set()).update(f.env for f in found if f.env)
    _procfile_default(fragments, env_files, tiers)
    for frag in (f for group in fragments.values() for f in group):
        _configured_concurrency(frag.unit, frag.env, read)

    per_env: dict[str, dict[str, list[Unit]]] = {}
    for group, frags in fragments.items():
        for env, units in merge_kind(frags, env_files.get(group, set()), group).items():
            if units:
                per_env.setdefault(env, {})[group] = units

    environments: dict[str, Environment] = {}
    for env, by_kind in per_env.items():
        built = _choose(env, tiers.get(env, PRE_PRODUCTION), by_kind)
        if built is not None:
            environments[env] = built
    for d in declared:
        explicit = declared_environment(d, config_source, read)
        if explicit is not None:
            if d.name in environments:
                explicit.notes.append(f"overrides the discovered {environments[d.name].workers} ({environments[d.name].kind})")
            environments[d.name] = explicit
    ordered = dict(sorted(environments.items(), key=lambda kv: (TIERS.index(kv[1].tier), kv[0])))
    return Discovery(ordered, compare(ordered), skipped, read_paths)


def _procfile_default(fragments: dict[str, list[Fragment]], env_files: dict[str, set[str]], tiers: dict[str, str]) -> None:
    """A bare ``Procfile`` beside ``Procfile.staging`` is what production runs."""
    frags = fragments.get("procfile", [])
    envs = env_files.get("procfile", set())
    if not envs or any(tiers.get(e) == PRODUCTION for e in envs) or not any(f.env is None for f in frags):
        return
    production = next((name for name, tier in tiers.items() if tier == PRODUCTION), "production")
    for frag in frags:
        if frag.env is None:
            frag.env = production
            frag.unit.notes.append(f"{frag.unit.anchor[0]} has no environment in its name; it is the default that production runs when only other environments have their own Procfile")
    envs.add(production)


def _choose(env: str, tier: str, by_kind: dict[str, list[Unit]]) -> Environment | None:
    totals: dict[str, Environment] = {}
    for kind, units in by_kind.items():
        workers = [UnitTotal(u, u.processes_for(tier), u.concurrency) for u in units if u.role == "worker"]
        web = [UnitTotal(u, u.processes_for(tier), u.concurrency) for u in units if u.role == "web"]
        e = Environment(env, tier, kind, workers, web=web)
        e.notes = list(dict.fromkeys(note for u in units for note in u.notes))
        if workers or web:
            totals[kind] = e
    with_workers = {k: e for k, e in totals.items() if e.units}
    if not with_workers:
        return next(iter(totals.values()), None)
    best_kind = max(with_workers, key=lambda k: (with_workers[k].workers, k))
    best = with_workers[best_kind]
    for kind, e in with_workers.items():
        if kind != best_kind:
            best.alternatives[kind] = e.workers
            if e.workers != best.workers:
                best.notes.append(
                    f"ambiguous: {KIND_LABELS[kind]} files say {e.workers} ({e.describe()}); "
                    f"using {best.workers} from {KIND_LABELS[best_kind]} (the highest). Declare it in {CONFIG_FILE} to choose."
                )
    return best


def compare(environments: Mapping[str, Environment]) -> Parity:
    """Can the best-provisioned pre-production environment reproduce production's concurrency?"""
    pre = [e for e in environments.values() if e.tier == PRE_PRODUCTION and e.units]
    prod = [e for e in environments.values() if e.tier == PRODUCTION and e.units]
    if not pre or not prod:
        missing = "a pre-production" if not pre else "a production"
        if not environments:
            return Parity("unknown", "no environments discovered")
        return Parity("unknown", f"no worker concurrency found for {missing} environment, so there is nothing to compare")
    staging = max(pre, key=lambda e: (e.exact, e.workers))
    production = max(prod, key=lambda e: (e.workers, e.exact))
    if staging.exact or (staging.only_concurrency_unknown and production.only_concurrency_unknown):
        same_unknown = not staging.exact
        lower = staging.processes < production.processes if same_unknown else staging.workers < production.workers
        if lower:
            if staging.exact and staging.workers <= 1:
                consequence = "a concurrency bug cannot show up"
            elif staging.exact:
                consequence = f"a race that needs more than {staging.workers} jobs at once cannot show up"
            else:
                consequence = f"a race that needs more than {staging.processes} worker processes cannot show up"
            message = f"{staging.name} runs {staging.describe()} but {production.name} runs {production.describe()}: {consequence} in {staging.name}"
            return Parity("mismatch", message, staging, production)
        return Parity("ok", f"{staging.name} runs {staging.describe()}, as many as {production.name} ({production.describe()})", staging, production)
    return Parity(
        "unknown",
        f"{staging.name}'s per-process concurrency is not set ({staging.describe()}), so it cannot be compared with {production.name}'s {production.workers}",
        staging,
        production,
    )


# --- the edge: the head commit's tree ------------------------------------------------------


def list_tree(root: str, rev: str) -> dict[str, str]:
    """``{path: blob id}`` of every regular file at ``rev`` (no symlinks, no submodules)."""
    from ..git import gitcmd

    out: dict[str, str] = {}
    raw = gitcmd.run(["-c", "core.quotepath=off", "ls-tree", "-r", "-z", "--full-tree", rev], root).stdout
    for entry in raw.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, oid = meta.split(b" ")
        if kind == b"blob" and mode != b"120000":
            out[path.decode("utf-8", "surrogateescape")] = oid.decode()
    return out


def discover_at(
    root: str,
    rev: str,
    environments_node: Any = None,
    config_source: str = CONFIG_FILE,
    read_blob: Callable[[str], bytes | None] | None = None,
) -> Discovery:
    """Discovery over the files committed at ``rev`` (never the working tree)."""
    from ..git.gitcmd import BlobReader

    tree = list_tree(root, rev)
    if read_blob is not None:
        return discover(tree, lambda p: read_blob(tree[p]) if p in tree else None, environments_node, config_source)
    with BlobReader(root) as blobs:
        return discover(tree, lambda p: blobs.read(tree[p], MAX_FILE_BYTES) if p in tree else None, environments_node, config_source)
