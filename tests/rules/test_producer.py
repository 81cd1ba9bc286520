"""Which Ruby methods enqueue a job (DC715's producers), read from `git grep`'s lines without a
parser; the rule itself is proved by tests/rule_examples/trees/DC715_producer.rb."""

from __future__ import annotations

from deploycheck.rules.trees.naming import kept_lines as _lines
from deploycheck.rules.trees.naming import producers_in


def test_a_method_is_read_from_its_def_to_the_end_at_its_indentation() -> None:
    text = """class Family
  def sync_later(window: nil)
    if window
      SyncJob.perform_later(self, window)
    end
  end

  def name
    title
  end

  def self.defer_build_and_post(user, object)
    Workers::DeferredDispatch.perform_async(user.id, object.id)
  end
  def touch = TouchJob.perform_later(self)
end
"""
    found = producers_in("app/models/family.rb", _lines(text))
    assert found == {
        "sync_later": ("app/models/family.rb", 4, "SyncJob.perform_later(self, window)"),
        "defer_build_and_post": ("app/models/family.rb", 13, "Workers::DeferredDispatch.perform_async(user.id, object.id)"),
        "touch": ("app/models/family.rb", 15, "= TouchJob.perform_later(self)"),
    }


def test_generic_names_entry_methods_and_top_level_enqueues_are_not_producers() -> None:
    # `perform`: a job that enqueues the next one would make every job's `.perform` a producer.
    text = """class Importer
  def call(rows)
    ImportJob.perform_later(rows)
  end
end
class ChainJob < ApplicationJob
  def perform(id)
    NextJob.perform_later(id)
  end
end
Resque.enqueue(Cleanup)
"""
    assert producers_in("app/services/importer.rb", _lines(text)) == {}


def test_the_lines_read_are_those_git_grep_prints() -> None:
    text = "class A\n  def x\n    y\n    Job.perform_async(1)\n    Job.perform_async?\n  end\nend\n"
    assert _lines(text) == [(2, "  def x"), (4, "    Job.perform_async(1)"), (6, "  end"), (7, "end")]
