"""Is this repository a job system itself? Then its non-test source is background code.

Recognised from the package manifest on the *base* (the branch cannot rename its way out):
``*.gemspec`` ``name``, ``package.json`` ``"name"``, ``go.mod`` ``module`` (without one, the
package at the root of a Go repository from before modules), ``settings.gradle``
``rootProject.name``, ``gradle.properties`` ``name``, ``pom.xml`` ``artifactId``. A name matches
an entry of ``JOB_SYSTEMS`` exactly or followed by ``-``/``_`` (``spring-kafka-dist``,
``agenda-monorepo``, ``sidekiq-pro``). A repository not listed here declares its background code
with the existing ``job_paths`` setting (globs) in the base branch's ``.deploycheck/config.yaml``.
"""

from __future__ import annotations

import re

JOB_SYSTEMS = {
    "ruby": ("sidekiq", "resque", "good_job", "solid_queue", "delayed_job", "que", "sneakers", "shoryuken",
             "karafka", "rufus-scheduler", "sucker_punch", "faktory_worker_ruby", "backburner", "gush"),
    "javascript": ("bullmq", "bull", "bee-queue", "agenda", "node-cron", "kue", "pg-boss", "graphile-worker",
                   "node-resque", "bree", "@nestjs/bull", "@nestjs/bullmq", "@nestjs/schedule", "kafkajs",
                   "amqplib", "amqp-connection-manager", "sqs-consumer", "better-queue"),
    "go": ("github.com/hibiken/asynq", "github.com/riverqueue/river", "github.com/richardknop/machinery",
           "github.com/gocraft/work", "github.com/robfig/cron", "github.com/go-co-op/gocron",
           "github.com/contribsys/faktory_worker_go", "github.com/vmihailenco/taskq", "github.com/adjust/rmq"),
    "jvm": ("jobrunr", "quartz", "quartz-scheduler", "spring-kafka", "spring-amqp", "spring-batch", "db-scheduler",
            "shedlock"),
}
_ALL = tuple(name for names in JOB_SYSTEMS.values() for name in names)
# Compiled on first use (a git hook that never asks pays nothing).
_PATTERNS = {
    "gem": (r"""\.name\s*=\s*["']([^"']+)["']""", 0),
    "go": (r"^\s*module\s+(\S+)", re.MULTILINE),
    "gradle": (r"""rootProject\.name\s*=\s*["']([^"']+)["']""", 0),
    "properties": (r"^\s*name\s*=\s*(\S+)", re.MULTILINE),
    "pom_parent": (r"<parent>.*?</parent>", re.DOTALL),
    "pom_artifact": (r"<artifactId>\s*([^<\s]+)\s*</artifactId>", 0),
    "go_major": (r"/v\d+$", 0),
    "go_package": (r"^\s*package\s+(\w+)", re.MULTILINE),
    "gem_bindir": (r"""\.bindir\s*=\s*["']([^"'/]+)/?["']""", 0),
    "gem_executables": (r"\.executables\s*=\s*([^\n]*)", 0),
    "gem_literal": (r"""\[\s*((?:["'][\w.-]+["']\s*,?\s*)*)\]|%w[\[(]([\w.\s-]*)[\])]""", 0),
}


def _re(key: str) -> re.Pattern[str]:
    pattern, flags = _PATTERNS[key]
    return re.compile(pattern, flags)  # re caches compiled patterns itself


def matches(name: str) -> str | None:
    """The listed job system ``name`` is, or None."""
    name = _re("go_major").sub("", name.strip().lower())
    for known in _ALL:
        if name == known or name.startswith((known + "-", known + "_")) or name.startswith(known + "/"):
            return known
    return None


def declared_names(path: str, data: bytes) -> list[str]:
    """The name a manifest declares for its package (``MANIFESTS``, a gemspec): [] or one."""
    text = data[:200_000].decode("utf-8", "replace")
    if path.endswith(".gemspec"):
        return _re("gem").findall(text)[:1]
    if path == "package.json":
        import json  # only here: its import is a share of a git hook's budget

        try:
            value = json.loads(text).get("name")
        except (ValueError, AttributeError):
            return []
        return [value] if isinstance(value, str) else []
    if path == "go.mod":
        return _re("go").findall(text)[:1]
    if path in ("settings.gradle", "settings.gradle.kts"):
        return _re("gradle").findall(text)[:1]
    if path == "gradle.properties":
        return _re("properties").findall(text)[:1]
    if path == "pom.xml":
        return _re("pom_artifact").findall(_re("pom_parent").sub("", text, count=1))[:1]
    return []


MANIFESTS = ("package.json", "go.mod", "settings.gradle", "settings.gradle.kts", "gradle.properties", "pom.xml")


def job_system(settings) -> str | None:
    """The job system the base's root manifests name ("sidekiq", …), or None; memoised per scan."""
    base = getattr(settings, "base_files", None)
    if base is None:
        return None
    if "trees.job_system" not in base.memo:
        base.memo["trees.job_system"] = _find(base)
    return base.memo["trees.job_system"]


def _find(base) -> str | None:
    names = base.root_names()
    for path in [n for n in names if n.endswith(".gemspec")] + [m for m in MANIFESTS if m in names]:
        data = base.read(path)
        if not data:
            continue
        for name in declared_names(".gemspec" if path.endswith(".gemspec") else path, data):
            found = matches(name)
            if found:
                return found
    return _go_without_module(base, names)


def _go_without_module(base, names) -> str | None:
    """A Go repository from before modules (no go.mod) names itself only by its import path,
    whose last segment is the package at its root (gocraft/work's `package work`): that package
    named like a listed Go job system's path is that job system."""
    if "go.mod" in names:
        return None
    source = next((n for n in sorted(names) if n.endswith(".go") and not n.endswith("_test.go")), None)
    data = base.read(source) if source is not None else None
    package = _re("go_package").search(data[:20_000].decode("utf-8", "replace")) if data else None
    if package is None or package.group(1) == "main":
        return None
    known = next((known for known in JOB_SYSTEMS["go"] if known.rsplit("/", 1)[-1] == package.group(1)), None)
    if known is None:
        return None
    # The name alone is an application's as readily (its own `package work` or `package cron`
    # at the root): the job system also says it is itself, in a README that gives its import
    # path (gocraft/work's `go get github.com/gocraft/work`) or in a file named for the package
    # (robfig/cron's `cron.go`).
    if f"{package.group(1)}.go" in names:
        return known
    for readme in (n for n in sorted(names) if n.lower().startswith("readme")):
        text = base.read(readme)
        if text and known.lower().encode() in text[:200_000].lower():
            return known
    return None


def _gemspec(base) -> str | None:
    names = base.root_names()
    for path in (n for n in names if n.endswith(".gemspec")):
        data = base.read(path)
        if data:
            return data[:200_000].decode("utf-8", "replace")
    return None


def _gem_commands(base) -> tuple[str, frozenset[str] | None] | None:
    """(bindir, executables) of the base's gemspec; executables None when the gemspec computes
    them (``spec.files.grep(%r{^exe/})``): then every script in bindir counts as installed."""
    text = _gemspec(base)
    if text is None:
        return None
    bindir = _re("gem_bindir").search(text)
    assigned = _re("gem_executables").search(text)
    names: frozenset[str] | None = frozenset()
    if assigned:
        literal = _re("gem_literal").match(assigned.group(1).strip())
        if literal is None:
            names = None
        else:
            names = frozenset(re.findall(r"[\w.-]+", literal.group(1) or literal.group(2) or ""))
    return (bindir.group(1) if bindir else "bin"), names


def uninstalled_script(settings, path: str) -> bool:
    """Whether ``path`` is a script in a gem's `bin/` or `exe/` folder that its gemspec does not
    install as a command (a load test, a benchmark, a developer's tool): the gem's users never
    run it, so it is no part of the job system's source even in the job system's own repository."""
    base = getattr(settings, "base_files", None)
    if base is None or "/" not in path:
        return False
    if "trees.gem_commands" not in base.memo:
        base.memo["trees.gem_commands"] = _gem_commands(base)
    commands = base.memo["trees.gem_commands"]
    if commands is None:
        return False
    bindir, names = commands
    folder, _, name = path.rpartition("/")
    if folder not in (bindir, "bin", "exe"):
        return False
    if folder != bindir:
        return True  # `bin/setup` beside an `exe/` bindir: only the bindir's files are installed
    return names is not None and name not in names


# Folders of a job system's repository that hold programs showing how to use it.
_EXAMPLES = re.compile(r"(?:^|/)(?:examples?|samples?)/", re.IGNORECASE)


def example_code(path: str) -> bool:
    """Whether ``path`` lies in an examples or samples folder: programs that show the job system's
    users how to call it, shipped to nobody. Like an uninstalled script, they are read as an
    application's code (background where they define jobs), not as the job system's source."""
    return bool(_EXAMPLES.search(path))
