# path: app/jobs/charge_job.rb
class ChargeJob
  include Sidekiq::Job

  def perform(id)
    invoice = Invoice.find(id)
    invoice.charge! unless invoice.paid?  # error: DC701
  end

  def notify(id)
    logger.info("notifying #{id}")  # error: DC701[info]
    Mailer.receipt(id).deliver_later
  end
end

class InvoicePresenter
  def title(invoice)
    invoice.number.upcase  # ok: DC701
  end
end
