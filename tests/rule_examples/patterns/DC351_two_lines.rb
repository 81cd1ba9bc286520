# path: app/services/admin/listings_service.rb
class Admin::ListingsService
  attr_reader :listing

  def approve
    listing.update_columns(state: Listing::APPROVED,
                           approval_count: listing.approval_count + 1)  # error: DC351
  end
end
