# path: app/controllers/admin/users_controller.rb
# A request path reads a has_one association and creates it when there is none: two requests
# (or a request and the job doing the same) both read none and both create one.
module Admin
  class UsersController < ApplicationController
    def refill
      @queue = @user.user_vote_queue || @user.build_user_vote_queue.tap(&:save!)  # error: DC705
      @profile = @user.profile || @user.create_profile!(name: @user.name)  # error: DC705
      @user.settings ||= @user.build_settings  # ok: DC705 (built, not saved)
      @team = @user.team || Team.default  # ok: DC705
      redirect_to admin_user_path(@user)
    end

    def invite
      return if Invite.exists?(email: params[:email])
      Invite.create!(email: params[:email])  # error: DC705
    end
  end
end
