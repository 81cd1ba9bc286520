# path: app/services/admin/listings_service.rb
class Admin::ListingsService
  attr_reader :listing

  def approve
    listing.update_column(:state, Listing::APPROVED)
  end
end
