"""Readings made on apps-n (session 21's held-out sample, scanned at the start commit 93eb188):
each test fails without its change. Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch as _found

# --- DC166: a uniqueness validation with no unique index behind it --------------------------------

_VOTE = ("class VoteMf < ApplicationRecord\n  belongs_to :voter, class_name: \"User\"\n  belongs_to :project\n"
         "{validation}end\n")
_VALIDATION = "  validates :voter_id, uniqueness: { scope: :project_id }\n"
_SCHEMA = ('ActiveRecord::Schema[8.0].define(version: 2025_10_09_080933) do\n'
           '  create_table "vote_mfs", force: :cascade do |t|\n'
           '    t.bigint "voter_id", null: false\n    t.bigint "project_id", null: false\n'
           '{index}'
           '    t.index ["project_id"], name: "index_vote_mfs_on_project_id"\n'
           '  end\n\n'
           '  create_table "users", force: :cascade do |t|\n'
           '    t.string "email"\n'
           '    t.index ["voter_id", "project_id"], name: "elsewhere", unique: true\n'
           '  end\nend\n')
_MODEL = "app/models/vote_mf.rb"


def test_dc166_a_uniqueness_validation_whose_table_has_plain_indexes_only(tmp_path) -> None:
    # summer-of-making 4a23357f: one vote per voter and project, enforced by the validation alone
    # (the new table's indexes are plain; the unique one above belongs to another table).
    found = _found(tmp_path, {"db/schema.rb": _SCHEMA.format(index=""), _MODEL: _VOTE.format(validation="")},
                   {_MODEL: _VOTE.format(validation=_VALIDATION)}, rule="DC166")
    assert [(p, line) for p, line, *_ in found] == [(_MODEL, 4)]
    assert "vote_mfs (project_id, voter_id)" in found[0][4] and "db/schema.rb" in found[0][4]


@pytest.mark.parametrize("index", [
    '    t.index ["voter_id", "project_id"], name: "one_vote", unique: true\n',
    '    t.index ["project_id", "voter_id"], name: "one_vote", unique: true\n',
    '    t.index ["voter_id"], name: "one_vote_at_all", unique: true\n',  # stricter still
])
def test_dc166_a_unique_index_over_the_validated_columns_backs_it(tmp_path, index) -> None:
    found = _found(tmp_path, {"db/schema.rb": _SCHEMA.format(index=index), _MODEL: _VOTE.format(validation="")},
                   {_MODEL: _VOTE.format(validation=_VALIDATION)}, rule="DC166")
    assert found == []


def test_dc166_reads_structure_sql_and_the_models_table_name(tmp_path) -> None:
    structure = ("CREATE TABLE public.ballots (id bigint NOT NULL, voter_id bigint, project_id bigint);\n"
                 "CREATE UNIQUE INDEX index_ballots_once ON public.ballots USING btree (voter_id, lower((project_id)::text));\n")
    model = _VOTE.replace("class VoteMf < ApplicationRecord\n", "class VoteMf < ApplicationRecord\n  self.table_name = \"ballots\"\n")
    main = {"db/structure.sql": structure, _MODEL: model.format(validation="")}
    assert _found(tmp_path / "a", main, {_MODEL: model.format(validation=_VALIDATION)}, rule="DC166") == []
    # The same validation on a column no unique index covers is flagged.
    other = "  validates_uniqueness_of :voter_id\n"
    found = _found(tmp_path / "b", main, {_MODEL: model.format(validation=other)}, rule="DC166")
    assert [(p, line) for p, line, *_ in found] == [(_MODEL, 5)]
    assert "db/structure.sql" in found[0][4]


def test_dc166_a_plural_table_name_and_no_schema_at_all(tmp_path) -> None:
    model = "class Category < ApplicationRecord\n{validation}end\n"
    validation = "  validates :slug, presence: true, uniqueness: true\n"
    path = "app/models/category.rb"
    schema = ('ActiveRecord::Schema[8.0].define(version: 1) do\n  create_table "categories" do |t|\n'
              '    t.string "slug"\n    t.index ["slug"], unique: true\n  end\nend\n')
    assert _found(tmp_path / "a", {"db/schema.rb": schema, path: model.format(validation="")},
                  {path: model.format(validation=validation)}, rule="DC166") == []
    # No schema file to read: nothing proves an index, so it is flagged (fail closed).
    found = _found(tmp_path / "b", {path: model.format(validation="")}, {path: model.format(validation=validation)},
                   rule="DC166")
    assert [(p, line) for p, line, *_ in found] == [(path, 2)]
    assert "not found" in found[0][4]


# --- A test environment's package is test support (a new user's trial) ----------------------------

def test_a_testenv_package_is_test_support() -> None:
    # convoy's `testenv/job_tracker.go`, imported only by its end-to-end workers, was read as a job
    # handler (DC701) on the fix the trial replayed.
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc("testenv/job_tracker.go")
    assert is_test_or_doc("internal/test_harness/queue.go")
    assert not is_test_or_doc("internal/environment/config.go")
