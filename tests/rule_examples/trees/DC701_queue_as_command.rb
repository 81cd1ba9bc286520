# path: app/commands/cached_content/store.rb
class CachedContent::Store
  include Mandate

  queue_as :background

  initialize_with :exercise

  def call
    S3Cache::Write.(cache_key, Generate.(exercise), overwrite: false)  # error: DC701
  end
end
