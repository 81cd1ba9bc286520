"""Is this repository a job system itself? Then its non-test source is background code.

Recognised from the package manifest on the *base* (the branch cannot rename its way out):
``*.gemspec`` ``name``, ``package.json`` ``"name"``, ``go.mod`` ``module``, ``settings.gradle``
``rootProject.name``, ``gradle.properties`` ``name``, ``pom.xml`` ``artifactId``. A name matches
an entry of ``JOB_SYSTEMS`` exactly or followed by ``-``/``_`` (``spring-kafka-dist``,
``agenda-monorepo``, ``sidekiq-pro``). A repository not listed here declares its background code
with the existing ``job_paths`` setting (globs) in the base branch's ``.deploycheck/config.yaml``.
"""

from __future__ import annotations

import json
import re

JOB_SYSTEMS = {
    "ruby": ("sidekiq", "resque", "good_job", "solid_queue", "delayed_job", "que", "sneakers", "shoryuken",
             "karafka", "rufus-scheduler", "sucker_punch", "faktory_worker_ruby", "backburner", "gush"),
    "javascript": ("bullmq", "bull", "bee-queue", "agenda", "node-cron", "kue", "pg-boss", "graphile-worker",
                   "node-resque", "bree", "@nestjs/bull", "@nestjs/bullmq", "@nestjs/schedule", "kafkajs",
                   "amqplib", "sqs-consumer", "better-queue"),
    "go": ("github.com/hibiken/asynq", "github.com/riverqueue/river", "github.com/richardknop/machinery",
           "github.com/gocraft/work", "github.com/robfig/cron", "github.com/go-co-op/gocron",
           "github.com/contribsys/faktory_worker_go", "github.com/vmihailenco/taskq", "github.com/adjust/rmq"),
    "jvm": ("jobrunr", "quartz", "quartz-scheduler", "spring-kafka", "spring-amqp", "spring-batch", "db-scheduler",
            "shedlock"),
}
_ALL = tuple(name for names in JOB_SYSTEMS.values() for name in names)
_GEM_NAME = re.compile(r"""\.name\s*=\s*["']([^"']+)["']""")
_GO_MODULE = re.compile(r"^\s*module\s+(\S+)", re.MULTILINE)
_GRADLE_ROOT = re.compile(r"""rootProject\.name\s*=\s*["']([^"']+)["']""")
_PROPERTIES_NAME = re.compile(r"^\s*name\s*=\s*(\S+)", re.MULTILINE)
_POM_PARENT = re.compile(r"<parent>.*?</parent>", re.DOTALL)
_POM_ARTIFACT = re.compile(r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
_GO_MAJOR = re.compile(r"/v\d+$")


def matches(name: str) -> str | None:
    """The listed job system ``name`` is, or None."""
    name = _GO_MAJOR.sub("", name.strip().lower())
    for known in _ALL:
        if name == known or name.startswith((known + "-", known + "_")) or name.startswith(known + "/"):
            return known
    return None


def _names(path: str, data: bytes) -> list[str]:
    text = data[:200_000].decode("utf-8", "replace")
    if path.endswith(".gemspec"):
        return _GEM_NAME.findall(text)[:1]
    if path == "package.json":
        try:
            value = json.loads(text).get("name")
        except (ValueError, AttributeError):
            return []
        return [value] if isinstance(value, str) else []
    if path == "go.mod":
        return _GO_MODULE.findall(text)[:1]
    if path in ("settings.gradle", "settings.gradle.kts"):
        return _GRADLE_ROOT.findall(text)[:1]
    if path == "gradle.properties":
        return _PROPERTIES_NAME.findall(text)[:1]
    if path == "pom.xml":
        return _POM_ARTIFACT.findall(_POM_PARENT.sub("", text, count=1))[:1]
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
        for name in _names(".gemspec" if path.endswith(".gemspec") else path, data):
            found = matches(name)
            if found:
                return found
    return None
