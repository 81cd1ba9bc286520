"""Readings from the apps-r sample (tests/corpus/*-labelled-apps-r.yaml), scanned first in
session 25, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import APPLIANCE, GIAS_DATA, SERVER, flagged_on_branch

@pytest.mark.parametrize("old, new, flagged", [
    ('"Tal".freeze', '"Uhlmann".freeze', False),  # ManageIQ's release code name (apps-r, 6 commits)
    ('"Tal".freeze', '"Tal #{Time.now}".freeze', True),  # code runs in it: not a name
    ('"Tal".freeze', 'ENV.fetch("CODENAME", "Tal")', True),  # read from the environment
])
def test_ruby_a_release_code_name_returned_by_its_method_is_no_behaviour(tmp_path, old: str, new: str, flagged: bool) -> None:
    files = {"lib/vmdb/appliance.rb": APPLIANCE, "app/jobs/evm_server.rb": SERVER}
    found = flagged_on_branch(tmp_path, files, {"lib/vmdb/appliance.rb": APPLIANCE.replace(old, new)})
    assert bool(found) == flagged


HTTP_CLIENT = """module HttpClient
  def self.connection(retry_options: {})
    Faraday.new { |conn| conn.request :retry, retry_options }
  end
end
"""
IMPORT = """class ImportPolygonsJob < ApplicationJob
  def perform
    ActiveRecord::Base.connection.exec_update("UPDATE locations SET area = 1")
  end
end
"""


@pytest.mark.parametrize("call, flagged", [
    ("ActiveRecord::Base.connection", False),  # Rails's connection (teaching-vacancies faff86a7)
    ("HttpClient.connection", True),  # the module's own
])
def test_ruby_a_class_method_is_not_reached_through_a_rails_class_of_its_name(tmp_path, call: str, flagged: bool) -> None:
    job = IMPORT.replace("ActiveRecord::Base.connection", call)
    found = flagged_on_branch(tmp_path, {"app/jobs/import_polygons_job.rb": job, "README.md": "x\n"},
                              {"app/lib/http_client.rb": HTTP_CLIENT})
    assert bool(found) == flagged


DATA = GIAS_DATA
IMPORTER = """class ImportSchoolsJob < ApplicationJob
  def perform
    Gias::Data.new("https://example.org/schools.csv").each_slice(100) { |rows| School.upsert_all(rows) }
  end
end
"""


def test_ruby_a_class_s_each_is_followed_through_the_class_s_name(tmp_path) -> None:
    # teaching-vacancies 98445ab0: the import job's CSV download got retries; `each` is too common
    # a name to follow, but every Enumerable call on the class's objects runs it.
    files = {"app/services/gias/data.rb": DATA, "app/jobs/import_schools_job.rb": IMPORTER}
    found = flagged_on_branch(tmp_path, files, {"app/services/gias/data.rb": DATA.replace(
        "HTTParty.get(@url)", "HttpClient.connection(retry_options: { max: 3 }).get(@url)")})
    assert [(path, line) for path, line, *_ in found] == [("app/services/gias/data.rb", 9)]
    assert "ImportSchoolsJob" in found[0][4] or "import_schools_job.rb" in found[0][4]


HOST = """class Host < ApplicationRecord
  def verify_credentials_task(userid, auth_type = nil, options = {})
    task_opts = {:action => "Verify Host Credentials", :userid => userid}

    queue_opts = {
      :args        => [auth_type, options],
      :class_name  => self.class.name,
      :instance_id => id,
      :method_name => "verify_credentials?",
      :queue_name  => "ems_operations"
    }

    MiqTask.generic_action_with_callback(task_opts, queue_opts)
  end
end
"""


@pytest.mark.parametrize("old, new, line", [
    # ManageIQ b00983ac: the options put on the queue are changed first (passwords encrypted)
    ("    queue_opts = {\n", "    encrypt_params!(options)\n\n    queue_opts = {\n", 5),
    # a changed task description names nothing the queued call is handed
    (':action => "Verify Host Credentials"', ':action => "Verify credentials"', None),
])
def test_ruby_a_hash_that_describes_a_queued_call_is_an_enqueue(tmp_path, old: str, new: str, line: int | None) -> None:
    found = flagged_on_branch(tmp_path, {"app/models/host.rb": HOST}, {"app/models/host.rb": HOST.replace(old, new)},
                              rule="DC715")
    assert [f[1] for f in found] == ([line] if line else [])


GUIDE = """import { type Guide } from '../types';

export const guide: Guide = Object.freeze({
  id: 'third-party-dynamic-app',
  isDevFeature: true,
});
"""


def test_js_code_in_a_docs_folder_below_src_is_read_as_code(tmp_path) -> None:
    # logto 30d621fb, 8b2aaab9: the console's guide pages are TypeScript under
    # `src/assets/docs/`; DC001 said they could not be analysed (a documentation folder).
    path = "packages/console/src/assets/docs/guides/third-party-dynamic-app/index.ts"
    found = flagged_on_branch(tmp_path, {path: GUIDE}, {path: GUIDE.replace("isDevFeature: true,", "isBeta: true,")},
                              rule=None)
    assert found == []
    # a docs/ folder outside `src/` is still documentation, which the rules skip: its code is
    # reported as not analysed, as before
    found = flagged_on_branch(tmp_path / "b", {"docs/examples/worker.js": GUIDE},
                              {"docs/examples/worker.js": GUIDE.replace("isDevFeature: true,", "isBeta: true,")}, rule="DC001")
    assert [f[:2] for f in found] == [("docs/examples/worker.js", 5)]
