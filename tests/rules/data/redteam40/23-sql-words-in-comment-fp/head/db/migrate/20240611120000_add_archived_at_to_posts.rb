class AddArchivedAtToPosts < ActiveRecord::Migration[7.1]
  def change
    add_column :posts, :archived_at, :datetime,
               comment: "Replaces posts.archived; drop column archived after the July release"
    add_column :posts, :excerpt, :string, limit: 280,
               comment: "Truncate to 280 characters in the model, not here"
  end
end
