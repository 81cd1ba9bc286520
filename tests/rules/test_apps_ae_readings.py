"""Readings from session 38's work on apps-ae (tests/corpus/*-labelled-apps-ae.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Ruby: sharetribe's listing approval (apps-ae 9846ca91) -----------------------------------------

# Approving a listing bumps a counter from the loaded value, in a write call spread over two lines,
# and a new method hands the follower mail to delayed_job when the counter reaches one. Nothing was
# flagged: the pair on its own line was not read as a write, and `Delayed::Job.enqueue` as no enqueue.
SERVICE = """class Admin2::ListingsService
  attr_reader :listing, :community

  def approve
    listing.update_column(:state, Listing::APPROVED)
  end
end
"""
APPROVED = """class Admin2::ListingsService
  attr_reader :listing, :community

  def approve
    listing.update_columns(state: Listing::APPROVED,
                           approval_count: listing.approval_count + 1)
    notify_followers
  end

  def notify_followers
    return if listing.approval_count != 1

    Delayed::Job.enqueue(NotifyFollowersJob.new(listing.id, community.id), priority: 12)
  end
end
"""
PATH = "app/services/admin2/listings_service.rb"
# The older admin's copy of the same service, with a `notify_followers` of its own.
OLD_ADMIN = ("app/services/admin/listings_service.rb", """class Admin::ListingsService
  attr_reader :listing

  def notify_followers
    Delayed::Job.enqueue(NotifyFollowersJob.new(listing.id, listing.community_id))
  end
end
""")


def test_a_counter_written_from_its_loaded_value_inside_a_two_line_call_is_a_lost_update(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {PATH: SERVICE}, {PATH: APPROVED}, rule="DC351")
    assert [(line, "listing.approval_count" in m) for _, line, _, _, m in found] == [(6, True)], found


@pytest.mark.parametrize("head", [
    APPROVED.replace("approval_count: listing.approval_count + 1)", "approval_count: approvals + 1)"),  # a local
    APPROVED.replace("listing.update_columns(state: Listing::APPROVED,\n", "log(state: Listing::APPROVED,\n"),
    # the call closed on the line before: the pair is another call's argument
    APPROVED.replace("Listing::APPROVED,\n", "Listing::APPROVED)\n    other(\n"),
])
def test_a_pair_outside_an_open_write_call_is_no_lost_update(tmp_path, head) -> None:
    assert flagged_on_branch(tmp_path, {PATH: SERVICE}, {PATH: head}, rule="DC351") == []


def test_delayed_job_s_enqueue_in_a_new_method_is_one_more_caller(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {PATH: SERVICE, OLD_ADMIN[0]: OLD_ADMIN[1]},
                              {PATH: APPROVED.replace("+ 1", "+ 0")}, rule="DC715")
    lines = {line: m for _, line, _, _, m in found}
    assert sorted(lines) == [7, 10], found
    assert "Delayed::Job.enqueue" in lines[10] and "new method" in lines[10]
    # The call on `self` is told by the calling file's own method, not "one of 2 methods so named".
    assert f"({PATH}:13:" in lines[7] and "one of" not in lines[7], lines[7]


@pytest.mark.parametrize("call", [
    "NotifyFollowersMailer.delay(priority: 12).notify(listing.id)",
    "NotifyFollowersMailer.delay.notify(listing.id)",
])
def test_a_method_called_through_delay_is_an_enqueue(tmp_path, call) -> None:
    head = APPROVED.replace("Delayed::Job.enqueue(NotifyFollowersJob.new(listing.id, community.id), priority: 12)", call)
    found = flagged_on_branch(tmp_path, {PATH: SERVICE}, {PATH: head.replace("+ 1", "+ 0")}, rule="DC715")
    assert [line for _, line, _, _, _ in found] == [7, 10], found


def test_a_delay_that_is_no_call_s_receiver_is_no_enqueue(tmp_path) -> None:
    head = APPROVED.replace("Delayed::Job.enqueue(NotifyFollowersJob.new(listing.id, community.id), priority: 12)",
                            "wait(settings.delay)")
    assert flagged_on_branch(tmp_path, {PATH: SERVICE}, {PATH: head.replace("+ 1", "+ 0")}, rule="DC715") == []


# --- Kotlin: Gradle's test-fixture source set (bitwarden/android, apps-ae d817f6b4) -------------------


@pytest.mark.parametrize("folder, flagged", [("network/src/testFixtures/kotlin", False),
                                             ("network/src/integrationTest/kotlin", False),
                                             ("network/build/generated/kotlin", True)])
def test_a_test_fixture_source_set_is_test_code_not_unread_code(tmp_path, folder, flagged) -> None:
    # Its request builders for tests gained a field: DC001 high twice, "skipped as vendored or built
    # code, yet it runs". Only tests load that source set; a build folder's code may still run.
    path = f"{folder}/com/bitwarden/network/model/CipherJsonRequestUtil.kt"
    base = 'fun createMockCipherJsonRequest(number: Int) = CipherJsonRequest(\n    name = "mockName-$number",\n)\n'
    head = base.replace('    name = "mockName-$number",\n', '    name = "mockName-$number",\n    encryptedFor = "x",\n')
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC001")
    assert bool(found) == flagged, found


# --- an older miss read: the noticed gem's deliveries (rubyforgood/casa, apps-g 8b973ea6) ----------

CONTROLLER = """class ReimbursementsController < ApplicationController
  def change_complete_status
    @case_contact.update(reimbursement_params)
    recipients = [@case_contact.creator]
    CLASS.with(case_contact: @case_contact).deliver(recipients)
  end
end
"""


@pytest.mark.parametrize("cls, flagged", [("ReimbursementCompleteNotifier", True), ("Casa::CommentNotification", True),
                                          ("ReimbursementReport", False)])
def test_a_notifier_s_delivery_moved_under_a_condition_is_flagged(tmp_path, cls, flagged) -> None:
    # Its reimbursement notifier, whose deliveries Noticed runs as jobs, was delivered only when the
    # request marks the item complete: nothing was flagged.
    path = "app/controllers/reimbursements_controller.rb"
    base = CONTROLLER.replace("CLASS", cls)
    head = base.replace("""    recipients = [@case_contact.creator]
    CLASS.with(case_contact: @case_contact).deliver(recipients)
""".replace("CLASS", cls), """    if reimbursement_params[:reimbursement_complete]
      recipients = [@case_contact.creator]
      CLASS.with(case_contact: @case_contact).deliver(recipients)
    end
""".replace("CLASS", cls))
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC715")
    assert any("now under other conditions" in m for *_, m in found) == flagged, found


@pytest.mark.parametrize("base_class, flagged", [("BaseNotifier", True), ("Noticed::Event", True), ("ApplicationRecord", False)])
def test_a_delivery_added_to_a_notifier_is_flagged(tmp_path, base_class, flagged) -> None:
    # The same commit's notifier gained an e-mail delivery (its hazard line): a job per recipient.
    path = "app/notifications/reimbursement_complete_notifier.rb"
    base = f"class ReimbursementCompleteNotifier < {base_class}\n  deliver_by :database\nend\n"
    head = base.replace("  deliver_by :database\n", """  deliver_by :database
  deliver_by :email do |config|
    config.mailer = "VolunteerMailer"
  end
""")
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC715")
    assert [line for _, line, _, _, _ in found] == ([3] if flagged else []), found
