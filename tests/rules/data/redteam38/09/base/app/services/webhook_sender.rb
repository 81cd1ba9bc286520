class WebhookSender
  MAX_ATTEMPTS = 5

  def initialize(endpoint)
    @endpoint = endpoint
  end

  def deliver(payload)
    attempts = 0
    begin
      attempts += 1
      HTTP.timeout(10).post(@endpoint.url, json: payload)
    rescue HTTP::Error
      raise if attempts >= MAX_ATTEMPTS
      sleep(2**attempts)
      retry
    end
  end
end
