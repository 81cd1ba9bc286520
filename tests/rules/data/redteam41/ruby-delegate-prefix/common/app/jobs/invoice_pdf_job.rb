class InvoicePdfJob < ApplicationJob
  def perform(invoice_id)
    invoice = Invoice.find(invoice_id)
    PdfRenderer.render(invoice, title: invoice.name)
  end
end
