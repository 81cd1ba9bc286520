class QuizSerializer
  def initialize(quiz, user)
    @quiz = quiz
    @user = user
  end

  def as_json(*)
    {
      id: @quiz.id,
      title: @quiz.title,
      questions: @quiz.questions.count
    }
  end
end
