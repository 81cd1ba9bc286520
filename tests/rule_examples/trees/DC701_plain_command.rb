# path: app/commands/cached_content/generate.rb
class CachedContent::Generate
  include Mandate

  initialize_with :exercise

  def call
    Markdown::Parse.(exercise.introduction)  # ok: DC701 (no queue runs this command: it names none)
  end
end
