"""Readings from the new user's trial of session 23 (openfoodfoundation/openfoodnetwork: Rails,
Sidekiq, sidekiq-scheduler), on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

SERVICE = ("module OrderCycles\n  class WebhookService\n    def self.create_webhook_job(order_cycle:, event:)\n"
           "      WebhookDeliveryJob.perform_later(order_cycle.id, event)\n    end\n  end\nend\n")
DELIVERY = "class WebhookDeliveryJob < ApplicationJob\n  def perform(id, event)\n  end\nend\n"
OPENER = ("class OpenOrderCycleJob < ApplicationJob\n  def perform(id)\n    ActiveRecord::Base.transaction do\n"
          "      order_cycle = OrderCycle.lock.find(id)\n      order_cycle.update!(opened_at: Time.zone.now)\n    end\n"
          "  end\nend\n")


@pytest.mark.parametrize("inside", [True, False])
def test_ruby_an_enqueue_through_a_helper_inside_a_transaction_is_dc708(tmp_path, inside: bool) -> None:
    # openfoodnetwork 23dc0f72: the job opening an order cycle calls the webhook service, whose
    # method enqueues the delivery job, inside its transaction; DC708 read only direct enqueues.
    call = "      OrderCycles::WebhookService.create_webhook_job(order_cycle:, event: 'order_cycle.opened')\n"
    if inside:
        head = OPENER.replace("      order_cycle.update!(opened_at: Time.zone.now)\n",
                              "      order_cycle.update!(opened_at: Time.zone.now)\n" + call)
    else:  # after the commit: the fix
        head = OPENER.replace("    end\n  end\nend\n", "    end\n" + call.replace("      ", "    ", 1).replace(
            "order_cycle:", "order_cycle: OrderCycle.find(id)") + "  end\nend\n")
    main = {"app/jobs/open_order_cycle_job.rb": OPENER, "app/services/order_cycles/webhook_service.rb": SERVICE,
            "app/jobs/webhook_delivery_job.rb": DELIVERY}
    found = flagged_on_branch(tmp_path, main, {"app/jobs/open_order_cycle_job.rb": head}, rule="DC708")
    assert [(f[0], f[1]) for f in found] == ([("app/jobs/open_order_cycle_job.rb", 6)] if inside else [])
    if inside:
        assert "(through app/services/order_cycles/webhook_service.rb:4: `WebhookDeliveryJob.perform_later(" in found[0][4]
