"""DC001 for a built JavaScript file that Django serves to browsers (rules/static_assets.py).

A Django project that commits its front-end bundle in a static-files folder (netbox's
`project-static/dist/netbox.js`) changes it with every UI change. DC001 stays `high` for it, and
says when the repository shows that Django serves it and that nothing at head names it (a text
search cannot prove that nothing runs it: red team of session 7); without that evidence it keeps
the plain "yet it runs". Every case is a real repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo

from deploycheck.rules.static_assets import (
    mention_patterns,
    package_use,
    served_by,
    settings_facts,
)

BUNDLE = "web/frontend/dist/app.js"
BUNDLE_V1 = "(function(){document.title='shop';})();\n"
BUNDLE_V2 = "(function(){document.title='shop';document.body.dataset.ready='1';})();\n"

SETTINGS_OS_PATH = '''import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALLED_APPS = ["django.contrib.staticfiles", "shop"]
STATIC_URL = "/static/"
STATICFILES_DIRS = (
    os.path.join(BASE_DIR, "frontend", "dist"),
    ("docs", os.path.join(BASE_DIR, "frontend", "docs")),
)
'''
SETTINGS_PATHLIB = '''from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
'''
TEMPLATE = "{% load static %}\n<script src=\"{% static 'app.js' %}\"></script>\n"


def dc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", *args], cwd=repo, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )


def bundle_finding(repo: Path) -> dict:
    """The DC001 finding of the changed bundle, after `verify` agreed with its severity."""
    proc = dc(repo, "scan", "--base", "main", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    found = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "DC001" and f["path"] == BUNDLE]
    assert len(found) == 1, proc.stdout
    verify = dc(repo, "verify", "--base", "main", "--format", "json")
    assert verify.returncode == (0 if found[0]["severity"] == "info" else 1), verify.stdout + verify.stderr
    return found[0]


def django_repo(tmp_path: Path, settings: str = SETTINGS_OS_PATH, **extra: str) -> Path:
    """A Django project whose settings live in web/shop/settings.py (BASE_DIR is web/), with a
    committed bundle that the branch `work` rebuilds."""
    files = {
        "web/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
        "web/shop/__init__.py": "",
        "web/shop/settings.py": settings,
        "web/shop/templates/base.html": TEMPLATE,
        BUNDLE: BUNDLE_V1,
        "web/frontend/dist/app.js.map": '{"version":3,"file":"app.js","sources":["../src/app.ts"]}\n',
        "web/frontend/src/app.ts": "document.title = 'shop';\n",
        "README.md": "Run `yarn build` to rebuild web/frontend/dist/app.js.\n",
        ".gitignore": "node_modules/\n!web/frontend/dist/app.js\n",
        **extra,
    }
    repo = make_repo(tmp_path / "shop", files)
    make_branch(repo, "work", {BUNDLE: BUNDLE_V2, "web/frontend/src/app.ts": "document.title = 'shop';\n// ready\n"})
    return repo


# --- Django serves it, nothing runs it: info, with the evidence ---------------------------------


@pytest.mark.parametrize("settings", [SETTINGS_OS_PATH, SETTINGS_PATHLIB], ids=["os.path.join", "pathlib"])
def test_a_bundle_in_staticfiles_dirs_stays_high_and_says_its_evidence(tmp_path: Path, settings: str) -> None:
    finding = bundle_finding(django_repo(tmp_path, settings))
    assert finding["severity"] == "high" and "stays flagged" in finding["message"]
    message = finding["message"]
    for words in ("could not analyse this file", "vendored or built", "web/shop/settings.py lists web/frontend/dist in "
                  "STATICFILES_DIRS", "browser asset", "'app.js', 'dist/app'", "Nothing in it was checked"):
        assert words in message, message
    assert "yet it runs" not in message


def test_a_served_bundle_too_large_to_read_stays_high_with_its_evidence(tmp_path: Path) -> None:
    repo = django_repo(tmp_path)
    make_branch(repo, "large", {BUNDLE: "var a=1;" * 300_000 + "\n"})
    finding = bundle_finding(repo)
    assert finding["severity"] == "high" and "stays flagged" in finding["message"]
    assert "larger than the 2,000,000-byte limit" in finding["message"] and "STATICFILES_DIRS" in finding["message"]


def test_a_private_front_end_package_whose_main_is_the_bundle_says_so(tmp_path: Path) -> None:
    # netbox: project-static/package.json says `"main": "dist/netbox.js"` and is private; nothing imports it.
    package = {"name": "shop-ui", "private": True, "main": "dist/app.js", "scripts": {"build": "node bundle.js"}}
    repo = django_repo(tmp_path, **{"web/frontend/package.json": json.dumps(package, indent=2)})
    finding = bundle_finding(repo)
    assert finding["severity"] == "high" and "stays flagged" in finding["message"]
    assert "web/frontend/package.json makes it the `main` of the private package shop-ui" in finding["message"]


def app_static_finding(tmp_path: Path, installed: str, apps_py: str) -> dict:
    """DC001 for a vendored bundle changed in the static folder of the Django app web/shop."""
    path = "web/shop/static/shop/vendor/htmx.min.js"
    repo = make_repo(tmp_path / "shop", {
        "web/shop/settings.py": f'INSTALLED_APPS = ["django.contrib.staticfiles", "{installed}"]\n',
        "web/shop/apps.py": apps_py,
        path: "var htmx=1;\n",
    })
    make_branch(repo, "work", {path: "var htmx=2;\n"})
    proc = dc(repo, "scan", "--base", "main", "--format", "json")
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "DC001"]
    return finding


def test_a_bundle_in_an_installed_apps_static_folder_says_so(tmp_path: Path) -> None:
    app = "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n"
    finding = app_static_finding(tmp_path, "shop.apps.ShopConfig", app)
    assert finding["severity"] == "high" and "stays flagged" in finding["message"], finding
    assert "the static folder of the Django app shop.apps.ShopConfig (web/shop/apps.py" in finding["message"]


# --- anything that may run it on the server keeps DC001 high, as before ------------------------


HIGH_WORDS = ("vendored or built", "yet it runs", "exclude it in the base branch")


def assert_high_as_before(repo: Path) -> None:
    finding = bundle_finding(repo)
    assert finding["severity"] == "high", finding
    for words in HIGH_WORDS:
        assert words in finding["message"]
    assert "browser asset" not in finding["message"]


@pytest.mark.parametrize("runner", [
    {"Procfile": "web: gunicorn shop.wsgi\nworker: node web/frontend/dist/app.js\n"},
    {"Dockerfile": 'FROM node:20\nCOPY . /app\nCMD ["node", "web/frontend/dist/app"]\n'},  # Node adds the .js
    {"deploy/shop-worker.service": "[Service]\nExecStart=/usr/bin/node /srv/shop/web/frontend/dist/app.js\n"},
    {"bin/start.sh": "#!/bin/sh\nexec node dist/app.js\n"},
    {"web/shop/tasks.py": 'import subprocess\n\n\ndef render():\n    subprocess.run(["node", "frontend/dist/app.js"])\n'},
    {"web/frontend/package.json": '{"name": "shop-ui", "private": true, "scripts": {"start": "node dist/app.js"}}\n'},
    {"web/frontend/package.json": '{"name": "shop-ui", "private": true, "bin": {"shop": "dist/app.js"}}\n'},
    {"web/frontend/package.json": '{"name": "shop-ui", "private": true, "main": "dist/app.js", "scripts": {"start": "node ."}}\n'},
    {"web/frontend/package.json": '{"name": "shop-ui", "main": "dist/app.js"}\n'},  # published: anyone may import it
    {"web/frontend/package.json": '{"name": "shop-ui", "private": true, "main": "dist/app.js"}\n',
     "server/index.js": 'const ui = require("shop-ui");\nui.start();\n'},
    {"web/frontend/package.json": '{"name": "shop-ui", "private": true, "main": "dist/app.js"}\n',
     "server/package.json": '{"name": "server", "dependencies": {"shop-ui": "*"}}\n'},
    {"web/frontend/package.json": "{ not json"},
    # a Jinja template is not always HTML: Ansible renders this one into a systemd unit (red team)
    {"deploy/roles/worker/templates/shop-worker.service.j2": "[Service]\nExecStart=/usr/bin/node {{ root }}/web/frontend/dist/app.js\n"},
], ids=["procfile", "dockerfile-extensionless", "systemd", "shell", "python", "npm-script", "bin", "node-dot",
        "public-main", "required-by-name", "workspace-dependency", "bad-package-json", "ansible-unit-template"])
def test_a_served_bundle_that_something_runs_stays_high(tmp_path: Path, runner: dict) -> None:
    assert_high_as_before(django_repo(tmp_path, **runner))


def test_a_node_projects_dist_entry_stays_high(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "api", {
        "package.json": '{"name": "api", "main": "dist/index.js", "scripts": {"start": "node dist/index.js"}}\n',
        "src/index.ts": "export const x = 1;\n",
        "dist/index.js": "exports.x = 1;\n",
    })
    make_branch(repo, "work", {"dist/index.js": "exports.x = 2;\n"})
    proc = dc(repo, "scan", "--base", "main", "--format", "json")
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "DC001"]
    assert finding["severity"] == "high" and "yet it runs" in finding["message"]


@pytest.mark.parametrize("settings", [
    "import os\nSTATICFILES_DIRS = [os.path.join(os.environ['ROOT'], 'frontend', 'dist')]\n",
    "STATICFILES_DIRS = ['/srv/shop/web/frontend/dist']\n",  # the server's folder: which one of the repository?
    "STATICFILES_DIRS = ['frontend/dist']\n",  # relative to whatever folder the server starts in
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nBASE_DIR = get_root()\n"
    "STATICFILES_DIRS = [BASE_DIR / 'frontend' / 'dist']\n",
    "import os\nBASE_DIR = os.path.dirname(os.path.abspath(__file__))\nSTATICFILES_DIRS = [os.path.join(BASE_DIR, 'static')]\n",
], ids=["environment", "absolute", "relative", "reassigned", "another-folder"])
def test_staticfiles_dirs_that_cannot_be_resolved_to_the_bundle_prove_nothing(tmp_path: Path, settings: str) -> None:
    assert_high_as_before(django_repo(tmp_path, settings))


def test_without_settings_the_bundle_stays_high(tmp_path: Path) -> None:
    repo = django_repo(tmp_path, "DEBUG = False\n")
    assert_high_as_before(repo)


def test_test_settings_prove_nothing(tmp_path: Path) -> None:
    # web/tests/settings.py would name web/frontend/dist too, but test settings serve nothing in production.
    repo = django_repo(tmp_path, "DEBUG = False\n", **{"web/tests/settings.py": SETTINGS_OS_PATH})
    assert_high_as_before(repo)


def test_an_app_static_folder_proves_nothing_unless_the_app_is_installed(tmp_path: Path) -> None:
    assert app_static_finding(tmp_path, "billing", "")["severity"] == "high"


# --- the pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
    "STATICFILES_DIRS = [os.path.join(BASE_DIR, 'ui', 'dist')]\n",
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSTATICFILES_DIRS = [str(BASE_DIR / 'ui/dist')]\n",
    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve(strict=True).parents[1]\nSTATICFILES_DIRS = (BASE_DIR.joinpath('ui', 'dist'),)\n",
    "import os\nBASE_DIR = os.path.dirname(os.path.dirname(__file__))\nSTATIC_ROOT = BASE_DIR + '/ui/dist'\n",
    "import os\nBASE_DIR = os.path.dirname(os.path.dirname(__file__))\nSTATICFILES_DIRS = []\n"
    "if True:\n    STATICFILES_DIRS += [f'{BASE_DIR}/ui/dist']\n",
    "import environ\nROOT = environ.Path(__file__) - 2\nSTATICFILES_DIRS = [str(ROOT.path('ui'))]\nSTATICFILES_DIRS.append(ROOT('ui', 'dist'))\n",
    "from pathlib import Path\nSTATICFILES_DIRS = [('bundles', Path(__file__).parent.parent / 'ui' / 'dist')]\n",
])
def test_the_forms_settings_name_a_folder_in(source: str) -> None:
    facts = settings_facts("web/shop/settings.py", source.encode())
    assert facts is not None
    assert any(folder == "web/ui/dist" for folder, _ in facts.dirs), facts.dirs


def test_a_folder_outside_the_repository_or_its_root_is_no_evidence() -> None:
    facts = settings_facts("settings.py", b"import os\nBASE_DIR = os.path.dirname(os.path.abspath(__file__))\n"
                                          b"STATICFILES_DIRS = [BASE_DIR, os.path.join(os.path.dirname(BASE_DIR), 'x')]\n")
    assert facts is not None and facts.dirs == []
    assert settings_facts("settings.py", b"STATICFILES_DIRS = [\n") is None


def test_finders_without_the_app_finder_serve_no_app_folder() -> None:
    facts = settings_facts("shop/settings.py", b"INSTALLED_APPS = ['django.contrib.staticfiles', 'shop']\n"
                                               b"STATICFILES_FINDERS = ['django.contrib.staticfiles.finders.FileSystemFinder']\n")
    assert facts is not None
    assert served_by("shop/static/vendor/x.min.js", [facts], lambda folder: "apps.py") is None
    facts.finders = None
    assert served_by("shop/static/vendor/x.min.js", [facts], lambda folder: "apps.py") is not None


def test_mention_patterns_cover_what_node_completes() -> None:
    assert mention_patterns("a/dist/app.js") == ["app.js", "dist/app"]
    assert mention_patterns("a/dist/index.js") == ["index.js", "dist/index", "dist"]
    assert mention_patterns("jquery.min.js") == ["jquery.min.js"]


@pytest.mark.parametrize(("package", "kind"), [
    ({"private": True, "main": "./dist/app"}, "entry"),
    ({"private": True, "exports": {".": {"import": "./dist/app.js"}}}, "entry"),
    ({"private": True, "browser": "dist/app.js"}, ""),
    ({"private": True, "files": ["dist/app.js"]}, "runs"),
    ({"private": True, "scripts": {"serve": "node ./dist/app"}}, "runs"),
    ({"private": True, "scripts": {"lint": "eslint ."}}, ""),
    ({"private": True, "main": "dist/other.js"}, ""),
    ([1, 2], "runs"),
])
def test_what_a_package_json_does_with_the_asset(package: object, kind: str) -> None:
    asset = "ui/dist/app.js"
    assert package_use("ui/package.json", json.dumps(package).encode(), asset, mention_patterns(asset)).kind == kind


def test_settings_the_branch_adds_cannot_lower_dc001(tmp_path: Path) -> None:
    # The base serves nothing from web/frontend/dist; the branch adds it to STATICFILES_DIRS in the
    # same push as the bundle. The gate trusts the base: DC001 stays high (docs/security-model.md).
    files = {"web/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
             "web/shop/__init__.py": "", "web/shop/settings.py": "DEBUG = False\n", BUNDLE: BUNDLE_V1}
    repo = make_repo(tmp_path / "shop", files)
    make_branch(repo, "work", {BUNDLE: BUNDLE_V2, "web/shop/settings.py": SETTINGS_OS_PATH})
    assert_high_as_before(repo)
