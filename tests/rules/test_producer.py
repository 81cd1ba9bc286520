"""Which Ruby methods enqueue a job (DC713's producers), read from `git grep`'s lines without a
parser; the rule itself is proved by tests/rule_examples/trees/DC713_producer.rb."""

from __future__ import annotations

from deploycheck.rules.trees.naming import producers_in


def _lines(text: str) -> list[tuple[int, str]]:
    import re

    keep = re.compile(r"^[ \t]*(def|end)([^A-Za-z0-9_]|$)|\.perform_(later|async)\b|Resque\.enqueue")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if keep.search(line)]


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


def test_generic_names_and_top_level_enqueues_are_not_producers() -> None:
    text = """class Importer
  def call(rows)
    ImportJob.perform_later(rows)
  end
end
Resque.enqueue(Cleanup)
"""
    assert producers_in("app/services/importer.rb", _lines(text)) == {}
