# path: app/jobs/refund_job.rb
class RefundJob < ApplicationJob  # error: DC701  # error: DC161
  def perform(id  # error: DC701, DC703
    Refund.create!(payment_id: id)  # error: DC261
  end
end
