# path: config/application.rb
# The 7.1 defaults named as a string: the same switch of the transaction settings.
module Shop
  class Application < Rails::Application
    config.load_defaults "7.1" # error: DC251
    config.load_defaults('7.1') # error: DC251
    config.load_defaults "7.0" # ok: DC251
    config.x.upgrade_note = "load_defaults 7.1 next" # ok: DC251
  end
end
