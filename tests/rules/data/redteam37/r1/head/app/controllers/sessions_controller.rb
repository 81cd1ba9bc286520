class SessionsController < ApplicationController
  MAX_FAILED = 5

  def create
    user = User.find_by(email: params[:email])
    if user&.authenticate(params[:password])
      user.update!(failed_attempts: 0, last_sign_in_at: Time.current)
      session[:user_id] = user.id
      redirect_to root_path
    else
      user&.increment!(:failed_attempts)
      flash.now[:alert] = "Invalid email or password"
      render :new, status: :unprocessable_entity
    end
  end
end
