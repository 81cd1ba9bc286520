# path: app/models/subscriber.rb
# Mongoid declares its indexes in the model: there is no schema file to read.
class Subscriber
  include Mongoid::Document
  field :email, type: String
  index({ email: 1 }, { unique: true })
  validates :email, uniqueness: true  # ok: DC166
end
