# path: app/commands/cached_content/generate.rb
class CachedContent::Generate
  include Mandate

  initialize_with :exercise

  def call
    Markdown::Parse.(exercise.instructions)
  end
end
