"""Where this deploycheck was installed from, as a pinned pip requirement that `init` can write.

`init` writes install lines into CI jobs. A line naming a release that no index has, or a tag
that does not exist, fails in the team's first pipeline; an unpinned one installs whatever is
newest. So the line is derived from how *this* copy was installed (PEP 610's
``direct_url.json`` in the installed metadata): a git checkout at a commit, a wheel URL, a local
folder, or an index release; and it is always pinned to a version or a commit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DIST = "deploycheck"
INDEX, VCS, ARCHIVE, LOCAL, OVERRIDE = "index", "vcs", "archive", "local", "override"


@dataclass(frozen=True)
class InstallSource:
    kind: str  # index | vcs | archive | local | override
    spec: str  # a pip requirement, pinned
    where: str = ""  # the local path, for kind == local


def from_direct_url(direct_url: dict | None, version: str) -> InstallSource:
    """The pip requirement for an installation described by ``direct_url`` (PEP 610; None when
    it came from an index)."""
    if not isinstance(direct_url, dict) or not isinstance(direct_url.get("url"), str):
        return InstallSource(INDEX, f"{DIST}=={version}")
    url = direct_url["url"]
    subdirectory = direct_url.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if isinstance(subdirectory, str) and subdirectory else ""
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("commit_id"), str) and vcs.get("vcs") in ("git", "hg", "svn", "bzr"):
        if url.startswith("file:"):
            return InstallSource(LOCAL, f"{DIST} @ {vcs['vcs']}+{url}@{vcs['commit_id']}{fragment}", url[len("file://"):])
        return InstallSource(VCS, f"{DIST} @ {vcs['vcs']}+{url}@{vcs['commit_id']}{fragment}")
    if url.startswith("file:"):
        return InstallSource(LOCAL, f"{DIST} @ {url}{fragment}", url[len("file://"):])
    archive = direct_url.get("archive_info")
    if isinstance(archive, dict):
        digest = archive.get("hash")
        pin = f"#{digest}" if isinstance(digest, str) and "=" in digest and not fragment else ""
        return InstallSource(ARCHIVE, f"{DIST} @ {url}{fragment or pin}")
    return InstallSource(INDEX, f"{DIST}=={version}")


def current(version: str) -> InstallSource:
    """How the running deploycheck was installed."""
    from importlib import metadata

    try:
        text = metadata.distribution(DIST).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        text = None
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    source = from_direct_url(data, version)
    # A URL recorded at install time is written into CI files: never one that could inject.
    return source if is_safe(source.spec) else InstallSource(INDEX, f"{DIST}=={version}")


_VERSION_PIN = re.compile(r"^\s*[A-Za-z0-9._-]+(\[[^\]]*\])?\s*===?\s*[A-Za-z0-9.+!_-]+\s*$")
_DIRECT = re.compile(r"^\s*[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@\s*(?P<url>\S+)\s*$")


_UNSAFE = "\"'`$\\\n\r"


def is_safe(spec: str) -> bool:
    """Whether ``spec`` can be written inside quoted YAML and shell lines as it is: no quote,
    `$` (a shell or `${{ }}` expression), backslash or line break."""
    return not any(c in spec for c in _UNSAFE)


def is_pinned(spec: str) -> bool:
    """Whether ``spec`` names one exact release: ``NAME==VERSION``, a VCS URL with ``@REV``, or
    a file URL (an archive or a folder, whose content the team controls)."""
    if not is_safe(spec):
        return False
    if _VERSION_PIN.match(spec):
        return True
    direct = _DIRECT.match(spec)
    if not direct:
        return False
    url = direct.group("url").split("#", 1)[0]
    if re.match(r"^(git|hg|svn|bzr)\+", url):
        path = url.split("://", 1)[-1]
        return "@" in path.split("/", 1)[-1]  # a revision after the repository path
    return url.startswith(("https://", "http://", "file:"))


def from_option(spec: str) -> InstallSource:
    from .errors import UsageError

    if not is_safe(spec):
        raise UsageError(
            f"--install-spec {spec!r} contains a quote, `$`, a backslash or a line break, which cannot be written "
            'safely into the CI files. Give a plain pinned requirement: "deploycheck==0.1.0" or '
            '"deploycheck @ git+https://HOST/ORG/deploycheck@COMMIT".'
        )
    if not is_pinned(spec):
        raise UsageError(
            f"--install-spec {spec!r} is not pinned, so CI would install whatever is newest. "
            'Give a version or a commit: "deploycheck==0.1.0" or "deploycheck @ git+https://HOST/ORG/deploycheck@COMMIT".'
        )
    return InstallSource(OVERRIDE, spec.strip())
