"""Which Ruby methods enqueue a job (DC715's producers), read from `git grep`'s lines without a
parser; the rule itself is proved by tests/rule_examples/trees/DC715_producer.rb."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
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


def test_a_def_after_a_modifier_and_an_enqueue_by_send_are_read() -> None:
    # `private def notify_later` is a method (Ruby 2.1+ returns its name to `private`), and
    # `send(:perform_later, …)` enqueues as `.perform_later(…)` does.
    text = """class Family
  private def notify_later
    NotifyJob.perform_later(self)
  end

  protected def sync_soon!(x)
    SyncJob.public_send(:perform_later, x)
  end
end
"""
    assert producers_in("app/models/family.rb", _lines(text)) == {
        "notify_later": ("app/models/family.rb", 3, "NotifyJob.perform_later(self)"),
        "sync_soon!": ("app/models/family.rb", 7, "SyncJob.public_send(:perform_later, x)"),
    }


JOB = "class SyncJob < ApplicationJob\n  def perform(x)\n    x.touch\n  end\nend\n"
FAMILY = ("class Family\n  def rename(name)\n    update!(name: name)\n  end\n\n"
          "  private def notify_later\n    SyncJob.perform_later(self)\n  end\nend\n")


def _dc715(tmp_path: Path, line: str) -> list[tuple[int, str]]:
    repo = make_repo(tmp_path / "repo", {"app/jobs/sync_job.rb": JOB, "app/models/family.rb": FAMILY})
    make_branch(repo, "work", {"app/models/family.rb": FAMILY.replace(
        "update!(name: name)\n", f"update!(name: name)\n    {line}\n")})
    return [(f.line, f.message) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC715"]


@pytest.mark.parametrize("line", ["notify_later", "SyncJob.send(:perform_later, self)",
                                  "SyncJob.public_send(:perform_later, self)"])
def test_a_new_call_of_a_private_def_producer_or_an_enqueue_by_send_is_flagged(tmp_path, line: str) -> None:
    found = _dc715(tmp_path, line)
    assert [row for row, _ in found] == [4]
    assert "enqueues a job" in found[0][1]


def test_the_enqueue_quoted_in_the_message_cannot_end_its_code_span(tmp_path) -> None:
    # A backtick of the source (a Ruby command) would close the message's code span early, and
    # a control character would reach a terminal or a viewer as it is.
    found = _dc715(tmp_path, 'SyncJob.perform_later(`hostname`, "\x1b[31m\u202e")')
    assert [row for row, _ in found] == [4]
    quoted = found[0][1].split(" enqueues a job")[0]
    assert quoted == "`SyncJob.perform_later('hostname', \" [31m \")`"


def test_a_changed_heredoc_an_enqueue_hands_on_is_a_changed_enqueue(tmp_path) -> None:
    # The heredoc's body sits after the call in the tree, yet it is what the job runs with.
    family = ("class Family\n  def rename(name)\n    SyncJob.perform_later(<<~SQL, name)\n"
              "      select 1\n    SQL\n  end\nend\n")
    repo = make_repo(tmp_path / "repo", {"app/jobs/sync_job.rb": JOB, "app/models/family.rb": family})
    make_branch(repo, "work", {"app/models/family.rb": family.replace("select 1", "select 2")})
    found = [(f.line, f.message) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC715"]
    assert [row for row, _ in found] == [3]
    assert "what `Family#rename` hands it changed" in found[0][1]


CONTROLLER = ("class OrdersController < ApplicationController\n  def create\n    order = Order.create!(params)\n"
              "    ChargeJob.perform_later(order.id)\n  end\nend\n")


@pytest.mark.parametrize("after, flagged", [
    ("ChargeJob.perform_now(order.id)", True),  # the charge now runs in the request
    ("ChargeJob.set(wait: 5.minutes).perform_later(order.id)", False),  # still queued: not this finding
])
def test_a_job_queued_on_the_base_and_run_by_its_method_on_the_head_is_flagged(tmp_path: Path, after: str, flagged: bool) -> None:
    job = "class ChargeJob < ApplicationJob\n  def perform(id)\n    Order.find(id).charge!\n  end\nend\n"
    repo = make_repo(tmp_path / "repo", {"app/controllers/orders_controller.rb": CONTROLLER, "app/jobs/charge_job.rb": job})
    make_branch(repo, "work", {"app/controllers/orders_controller.rb": CONTROLLER.replace("ChargeJob.perform_later(order.id)", after)})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC715" and "runs the job" in f.message]
    assert [(f.path, f.line) for f in found] == ([("app/controllers/orders_controller.rb", 4)] if flagged else [])


NOTIFY = ("class OrderCycleNotificationJob < ApplicationJob\n  def perform(order_cycle_id)\n"
          "    order_cycle = OrderCycle.find(order_cycle_id)\n    order_cycle.suppliers.each do |supplier|\n"
          "      ProducerMailer.order_cycle_report(supplier, order_cycle).deliver_now\n    end\n"
          "    order_cycle.update!(mails_sent: true)\n  end\nend\n")


@pytest.mark.parametrize("before, after, says", [
    # openfoodnetwork 8daa01e2 (a new user's trial, session 23): the job's mails became mail jobs,
    # queued before the job marks them sent; DC701 alone said "cannot prove its behaviour unchanged".
    (".deliver_now", ".deliver_later", "queues the mail"),
    (".deliver_later", ".deliver_now", "sends the mail"),  # the caller now waits on the mail server
    (".deliver_now", ".deliver_now!", None),  # still sent here
])
def test_a_mail_sent_on_the_base_and_queued_on_the_head_is_flagged(tmp_path: Path, before: str, after: str, says) -> None:
    job = NOTIFY.replace(".deliver_now", before)
    repo = make_repo(tmp_path / "repo", {"app/jobs/order_cycle_notification_job.rb": job})
    make_branch(repo, "work", {"app/jobs/order_cycle_notification_job.rb": job.replace(before, after)})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC715"]
    assert [(f.path, f.line) for f in found] == ([("app/jobs/order_cycle_notification_job.rb", 5)] if says else [])
    if says:
        assert f"{says} in `OrderCycleNotificationJob#perform`, which called `ProducerMailer.order_cycle_report(supplier, " \
               f"order_cycle){before}` on the base" in found[0].message


def test_several_lines_changed_before_one_enqueue_are_one_finding(tmp_path: Path) -> None:
    # openfoodnetwork 23dc0f72 (a new user's trial, session 23): five findings, one per changed
    # line, each saying that line 22 hands the order cycle on to the same webhook job.
    opener = ("class OpenOrderCycleJob < ApplicationJob\n  def perform(order_cycle_id)\n"
              "    order_cycle = OrderCycle.find(order_cycle_id)\n    variants = order_cycle.variants\n"
              "    OrderCycleWebhookJob.perform_later(order_cycle, variants)\n  end\nend\n")
    head = opener.replace("    order_cycle = OrderCycle.find(order_cycle_id)\n    variants = order_cycle.variants\n",
                          "    order_cycle = OrderCycle.lock.find(order_cycle_id)\n    variants = order_cycle.variants.active\n")
    repo = make_repo(tmp_path / "repo", {"app/jobs/open_order_cycle_job.rb": opener})
    make_branch(repo, "work", {"app/jobs/open_order_cycle_job.rb": head})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC715"]
    assert [(f.line, f.end_line) for f in found] == [(3, 4)]
    assert found[0].message.startswith("Lines 3 and 4 changed, and line 5 hands `order_cycle` and `variants` on after them")
