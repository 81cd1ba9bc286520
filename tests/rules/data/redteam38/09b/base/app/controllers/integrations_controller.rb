class IntegrationsController < ApplicationController
  def show
    @integration = Integration.find(params[:id])
  end
end
