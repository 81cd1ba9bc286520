# path: app/models/concerns/password_resettable.rb
module PasswordResettable
  def update_password_with_token(new_password, token:)
    with_lock do  # error: DC251
      self.password = new_password
      save
    end
  end

  def consume!
    lock!  # error: DC251
    update!(used: true)
  end

  def unlock!  # ok: DC251
    self.locked_with_lock = false  # ok: DC251
  end
end
