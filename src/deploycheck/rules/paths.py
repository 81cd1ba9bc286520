"""Paths no rule flags: tests, fixtures, documentation, vendored or built code.

Shared by the pattern packs (rules/patterns), the syntax-tree family (rules/trees) and DC001
(rules/not_analysed), each of which imports it only when it runs; it imports nothing else.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Helpers a project ships for its users' tests (db-scheduler's `testhelper/`, a `testkit`,
# convoy's `testenv/` job tracker for its end-to-end suites, Solidus's `testing_support/` with its
# dummy application's `ApplicationJob`): they run inside test suites, never in a deployment's
# workers.
TEST_SUPPORT = r"(?:^|/)test(?:ing)?[-_]?(?:helpers?|utils?|kit|support|env|harness)/"
# JavaScript's test, lint and release tools read these; no deployed process ever loads them.
DEV_TOOL_CONFIG = (
    r"(?:^|/)(?:jest|vitest|karma|mocha|playwright|cypress|commitlint|release|lint-staged|stylelint|prettier|eslint)"
    r"\.(?:config|conf)\.[cm]?[jt]s$"
    r"|(?:^|/)\.(?:eslintrc|prettierrc|mocharc|releaserc|lintstagedrc|stylelintrc|commitlintrc)(?:\.[cm]?[jt]s|\.json|\.ya?ml)?$"
    # Storybook: its configuration, its stories and the JSX pages of a `stories/` folder are
    # rendered by Storybook's own server for developers (hyperdx's design-system pages), never deployed.
    r"|(?:^|/)\.storybook/|\.stories\.(?:[cm]?[jt]sx?|mdx)$|(?:^|/)stories/(?:[^/]+/)*[^/]+\.(?:[jt]sx|mdx)$"
)
# Cucumber's step definitions and hooks (otwarchive's `features/step_definitions/`): only its
# test runs load them. `support/` is also what an application names the code of its support
# feature (a React app's `src/features/support/`): under a source folder it is the application's.
CUCUMBER_STEPS = r"(?:^|/)features/step_definitions/|^(?:(?!(?:src|app|lib|source)/)[^/]+/)*features/support/"
# Test doubles: a `mocks/` folder (mockery's, gomock's) and Go's mock files (`notify_mock.go`,
# `mock_store.go`), compiled into the package but called only by its tests; and counterfeiter's
# fakes, generated into a package named for the one they fake (livekit's
# `pkg/rtc/types/typesfakes/fake_local_participant.go`, whose regenerated mutexes read as new
# locks: apps-y 972c64a2, dbe06aa8).
MOCKS = r"(?:^|/)mocks?/|(?:^|/)(?:[^/]*_mock|mock_[^/]*)\.go$|(?:^|/)\w*fakes/(?:[^/]+/)*[^/]+\.go$"
# Rails previews of view components and mailers (bike_index's `component_preview.rb` beside its
# component): pages for a developer's browser, which no deployment's worker runs. A bare
# `component_preview.rb` only below a components folder, and nothing in the folders Rails loads
# as the application's models, jobs, workers, services, controllers or channels: a
# `ComponentPreview` model or a job in `app/jobs/components/previews/` is production code.
PREVIEWS = (r"^(?!(?:[^/]+/)*app/(?:models|jobs|workers|services|controllers|channels)/)(?:[^/]+/)*"
            r"(?:components/(?:[^/]+/)*component_preview\.rb$|[^/]*_(?:component|mailer)_preview\.rb$"
            r"|(?:mailers|components)/previews/)")
# Yarn's own code (`.yarn/releases/yarn-4.1.1.cjs`, its plugins and editor SDKs) and Plug'n'Play's
# resolution tables: committed with the project, but a package manager's, like vendored code.
PACKAGE_MANAGER = r"(?:^|/)\.yarn/|(?:^|/)\.pnp\.(?:c?js|loader\.mjs)$"
# A bundler's output in a web application's static folder (CTFd's Vite build in
# `themes/admin/static/assets/pages/statistics-CTPcKvQh.js`, `index.9b9a8697.js`): its file name
# carries a content hash of eight characters, with a digit or both cases, so no word. Built for
# pages, not written by hand: read as built code (DC001 names the `exclude:` that quiets it). A
# new user's trial, session 26, found such bundles parsed for minutes and flagged as jobs' code.
BUNDLER_OUTPUT = (r"(?:^|/)static/(?:[^/]+/)*[^/]+[-.](?:(?=[\w-]{0,7}[0-9])|(?=[\w-]{0,7}[A-Z])(?=[\w-]{0,7}[a-z]))"
                  r"[A-Za-z0-9_-]{8}\.m?js$")
_BUNDLER_OUTPUT = re.compile(BUNDLER_OUTPUT)
_TEST_OR_DOC = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__|__mocks__|testdata|test_data|fixtures?|e2e|node_modules|vendor|dist|build)/"
    r"|" + PACKAGE_MANAGER +
    r"|(?:^|/)src/(?:testFixtures|integrationTest|intTest)/"  # Gradle's test-fixture and integration-test source sets
    r"|" + TEST_SUPPORT + "|" + DEV_TOOL_CONFIG +
    r"|" + CUCUMBER_STEPS + "|" + MOCKS +
    r"|^t/"  # a root-level t/ is a test suite (Celery, Kombu, Perl-style projects), never a package
    r"|" + PREVIEWS +
    r"|(?:^|/)(?:test_[^/]*|[^/]*_test\.\w+|[^/]*_spec\.rb|[^/]*\.(?:test|spec|mock)\.[cm]?[jt]sx?|[^/]*Tests?\.(?:java|kt)|[^/]*\.d\.ts|[^/]*\.min\.js)$"
    # A read-me or change log, not code named for one (octobox's `lib/octobox/changelog.rb`, the
    # helper that reads the change log, was reported unread: a new user's trial, session 29).
    r"|(?:^|/)(?:readme|changelog|contributing)(?![^/]*\.(?:rb|rake|[cm]?[jt]sx?|go|java|kt|py|sql)$)[^/]*$"
    r"|(?:^|/)\.(?:github|circleci|gitlab|buildkite)/|(?:^|/)(?:\.gitlab-ci|\.travis|azure-pipelines|bitbucket-pipelines|\.pre-commit-config)\.ya?ml$"
    # A pipeline named for CI (saltcorn's `whale-ci.yml` sets its test workers, apps-ah f2f4eac2):
    # it runs tests. Not a general pipeline system's file (`.drone.yml`, `.woodpecker/`): those
    # deploy too, and the red team of session 41 set production worker counts in both.
    r"|(?:^|/)[^/]+[-_.]ci\.ya?ml$"
    r"|\.(?:md|rst|txt|adoc|markdown)$",
    re.IGNORECASE,
)


# A documentation folder. Not for a Go file: one under docs/ is a package compiled into the binary
# once imported (swag's generated `docs/docs.go`, registered from main).
_DOCS = re.compile(r"(?:^|/)docs?/(?!.*\.go$)", re.IGNORECASE)
# A JVM source set's root: below it a folder is a package, whatever its name (RuoYi-Vue-Plus's
# `org/dromara/common/doc/handler/OpenApiHandler.java` is its API-docs module's code, Jpom's
# `org/dromara/jpom/build/BuildExecuteManage.java` its build runner). Kotlin Multiplatform's
# production sets too (`src/jvmMain/kotlin/`, `src/commonMain/kotlin/`); not a test set
# (`src/jvmTest/`), whose code no deploy runs.
_JVM_SOURCES = re.compile(r"(?:^|/)src/(?:main|[a-z]\w*Main)/(?:java|kotlin|scala|groovy)/")


# Below a JVM source root, a package named like a folder of fixtures, built or vendored code
# (`fixtures` of a football app, `e2e` encryption, Jpom's `build` runner): Maven's `src/main` holds
# production code. A `test` package there is what a library ships for its users' tests
# (spring-kafka's `org.springframework.kafka.test` embedded broker), like TEST_SUPPORT's helpers and
# mocks: those keep their meaning.
_FOLDER_LIKE_PACKAGE = re.compile(
    r"(?:^|(?<=/))(?:testdata|test_data|fixtures?|e2e|vendor|dist|build|node_modules)(?=/)", re.IGNORECASE)


# A source tree: below `src/`, a `build/` or `dist/` folder is a module named for what it does
# (Amplication's `packages/amplication-server/src/core/build/`, its Kafka handlers for builds), not
# where a compiler writes: output goes beside `src/`, never into it. Unless a web project's asset
# folder lies between (Spring Boot's `src/main/resources/static/dist/`, ASP.NET Core's
# `src/Shop.Web/wwwroot/dist/` and `ClientApp/build/`): a bundler writes there, below `src/`.
_SOURCE_TREE = re.compile(r"(?:^|/)src/")
_ASSET_FOLDER = re.compile(r"(?:^|/)(?:static|public|wwwroot|resources|assets|clientapp|www|webapp)/", re.IGNORECASE)
_OUTPUT_MODULE = re.compile(r"(?:^|(?<=/))(?:dist|build)(?=/)", re.IGNORECASE)


# TypeScript and Go are written, never emitted: a compiler or a bundler writes JavaScript (and
# `.d.ts` declarations) or binaries into `build/` and `dist/`, so a `.ts` or `.go` file there is a
# module named for what it does (capgo's Supabase API `_backend/public/build/start.ts`, its native
# builds' endpoints, was reported unread and its compare-and-set guard never read: a new user's
# trial, session 31; dendrite's mobile builds `build/gobind-pinecone/monolith.go` were reported
# "vendored or built code" at high, session 32). Go's vendored copies stay under `vendor/`.
_WRITTEN_SOURCE = re.compile(r"(?<!\.d)\.(?:ts|tsx|mts|cts|go)$")

_EXAMPLES = re.compile(r"/(?:examples?|samples?|demos?|tutorials?)/", re.IGNORECASE)
_CODE_BELOW_SOURCES = re.compile(r"\.(?:[cm]?[jt]sx?|rb|go|java|kt|py)$")


# A configuration file kept as a template that the install copies into place
# (`config/sidekiq.yml-example`, `config/crontab-example`, `app.yml.dist`): what runs in
# production is its copy, so a change to it is read as a change to the file it becomes
# (alaveteli's queues and cron jobs live only in its templates). A code file's template
# (`worker.rb.example`) is read by the packs of its language, not parsed as code.
_TEMPLATE_WORDS = ("example", "sample", "dist", "template")
_TEMPLATE_SUFFIX = re.compile(rf"(?<=[^/])[.-](?:{'|'.join(_TEMPLATE_WORDS)})$", re.IGNORECASE)
# A template engine's (Ansible's `.j2`, Capistrano's `.erb`, consul-template's or gomplate's
# `.tmpl`) renders the file it is named for; read so only when that is configuration (a page's
# `show.html.erb` is no configuration file).
_ENGINES = ("j2", "jinja", "jinja2", "erb", "tmpl", "tpl")
_ENGINE_SUFFIX = re.compile(rf"(?<=[^/])\.(?:{'|'.join(_ENGINES)})$", re.IGNORECASE)
_CONFIGURATION = re.compile(r"\.(?:ya?ml|json|toml|ini|conf|cfg|properties|env)$|(?:^|/)(?:crontab|procfile)(?:\.\w+)?$"
                            r"|/cron\.d/", re.IGNORECASE)


def template_globs(extensions: tuple[str, ...]) -> tuple[str, ...]:
    """Git globs for the templates ``deployed_path`` reads as files of these extensions
    (`*.yml-example`, `*.yml.j2`…)."""
    return tuple(f"*.{ext}{sep}{word}" for ext in extensions for sep in ".-" for word in _TEMPLATE_WORDS) + tuple(
        f"*.{ext}.{engine}" for ext in extensions for engine in _ENGINES)


def deployed_path(path: str) -> str:
    """The path a configuration template is copied to (the path itself for any other file)."""
    rendered = _ENGINE_SUFFIX.sub("", path)
    if rendered != path and _CONFIGURATION.search(rendered):
        return rendered
    return _TEMPLATE_SUFFIX.sub("", path)


@lru_cache(maxsize=4096)  # asked for the same path by several families
def is_test_or_doc(path: str) -> bool:
    """Tests, fixtures, documentation and vendored or built code: never flagged."""
    if _BUNDLER_OUTPUT.search(path):
        return True
    sources = _JVM_SOURCES.search(path)
    if sources is not None:  # a package is named for what it holds, not built there
        path = path[:sources.end()] + _FOLDER_LIKE_PACKAGE.sub(r"\g<0>-package", path[sources.end():])
    elif _WRITTEN_SOURCE.search(path):
        path = _OUTPUT_MODULE.sub(r"\g<0>-module", path)
    elif (tree := _SOURCE_TREE.search(path)) is not None:
        below = path[tree.end():]
        out = _OUTPUT_MODULE.search(below)
        if out is not None and not _ASSET_FOLDER.search(below[:out.start()]):
            path = path[:tree.end()] + below[:out.start()] + below[out.start():out.end()] + "-module" + below[out.end():]
    if _TEST_OR_DOC.search(path) is not None:
        return True
    docs = _DOCS.search(path)
    if docs is None:
        return False
    if sources is None and (tree := _SOURCE_TREE.search(path)) is not None and tree.end() <= docs.start() + 1 \
            and _CODE_BELOW_SOURCES.search(path) and not re.search(r"(?i)test", path[tree.end():docs.start()]):
        # Below `src/`, a `docs/` folder holding code is a module of the application (logto's
        # console builds its guide pages from `src/assets/docs/guides/*.ts`, apps-r), as a
        # `build/` module is; its prose (`.md`) stays documentation.
        return False
    if sources is None and _CODE_BELOW_SOURCES.search(path) and (site := _SOURCE_TREE.search(path, docs.end() - 1)) \
            and not _EXAMPLES.search(path, docs.end() - 1, site.start() + 1):
        # A `src/` tree inside the documentation folder is a documentation site's code (rybbit's
        # Next.js site in `docs/src/app/`, apps-v): read like any code, so that what runs there is
        # checked, not reported unread for every page it changes. Not an example project's
        # (`docs/examples/email-worker/src/`), which no deployment runs.
        return False
    return sources is None or sources.end() > docs.start() + 1


# JavaScript a web server hands to browsers: a Rails app's `app/javascript/` (Stimulus
# controllers, bundled for the page) and `app/assets/`, and the files of a `public/` folder, sent
# as they are. It runs in a page, so it calls no function of a job; a bundle there too large to
# read (bike_index's 1.2 MB `public/vendored_assets/application.js`) is no unread caller of one.
# A browser loads a `public/` file as it is, so only plain JavaScript there is a page's: TypeScript
# and JSX must be compiled first and a `.cjs` file is CommonJS, Node's. Nor is a `public` folder
# inside a source tree (`src/public/api/worker.ts`, `lib/public/`) or a monorepo's package named
# `public` (`packages/public/`): those hold a server's code as readily as a page's. A source tree
# inside `public/` is a page's (NodeBB's client modules in `public/src/`).
_SERVED_TO_BROWSERS = re.compile(
    r"(?:^|/)app/(?:javascript|assets)/(?:[^/]+/)*[^/]+\.(?:[cm]?jsx?|tsx?)$"
    r"|^(?!(?:[^/]+/)*(?:packages|apps|libs|modules|services)/public/)"
    r"(?:(?!(?:src|lib|server|source)/)[^/]+/)*public/(?:[^/]+/)*[^/]+\.m?js$")


def served_to_browsers(path: str) -> bool:
    """Whether ``path`` is JavaScript a web server sends to browsers (see _SERVED_TO_BROWSERS)."""
    return _SERVED_TO_BROWSERS.search(path) is not None
