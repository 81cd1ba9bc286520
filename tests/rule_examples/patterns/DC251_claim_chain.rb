# path: lib/submissions.rb
module Submissions
  def self.maybe_complete(submission)
    claimed =
      Submission.where(id: submission.id, completed_at: nil)  # error: DC251
                .where.not(pending_submitters.arel.exists)
                .update_all(completed_at: Time.current)
                .positive?

    submission.touch if claimed
  end

  def self.void(payment)
    Payment.where(id: payment.id).where.not(state: 'void').update_all(state: 'void') == 1  # error: DC251
  end

  def self.mark_read(user)
    user.notifications
        .unread
        .update_all(read_at: Time.current)  # ok: DC251 (no `where`: a bulk update whose count decides no winner)
        .zero?
  end
end
