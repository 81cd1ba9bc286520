# path: app/jobs/charge_job.rb
class ChargeJob
  include Sidekiq::Job

  def perform(id)
    invoice = Invoice.find(id)
    invoice.charge!
  end

  def notify(id)
    Mailer.receipt(id).deliver_later
  end
end

class InvoicePresenter
  def title(invoice)
    invoice.number
  end
end
