require "net/http"

class ExchangeRates
  def initialize
    @mutex = Mutex.new
    @rates = {}
  end

  def rate(from, to)
    fetch("#{from}:#{to}") { download(from, to) }
  end

  private

  def fetch(key)
    @mutex.synchronize do
      @rates[key] ||= yield
    end
  end

  def download(from, to)
    base_url = ENV.fetch("RATES_URL")
    timeout = ENV.fetch("RATES_TIMEOUT", "5").to_i
    uri = URI("#{base_url}/latest?from=#{from}&to=#{to}")
    response = Net::HTTP.start(uri.host, uri.port, use_ssl: true, read_timeout: timeout) { |http| http.get(uri.request_uri) }
    JSON.parse(response.body).fetch("rate")
  end
end
