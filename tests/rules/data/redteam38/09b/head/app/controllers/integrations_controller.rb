class IntegrationsController < ApplicationController
  def show
    @integration = Integration.find(params[:id])
    @next_poll_in = @integration.poll_interval
  end
end
