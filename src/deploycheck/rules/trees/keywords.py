"""The family's cheap pre-filter, apart so that the gate imports nothing else."""

from __future__ import annotations

import re

# Cheap pre-filter (lower-cased substrings of the whole file): a file naming none of these has
# no background region in this module's eyes, and is not parsed unless its repository is a
# job system or it matches `job_paths`.
KEYWORDS = {
    "ruby": ("sidekiq", "applicationjob", "activejob", "resque", "@queue", "good_job", "solid_queue", "que::job",
             "shoryuken", "sneakers"),
    "javascript": ("bullmq", "bull", "worker", ".process(", "agenda", "cron", "kafkajs", "eachmessage", "amqplib",
                   ".consume(", "@processor", "@process(", "@cron(", "@interval("),
    "go": ("go ", "asynq", "machinery", "river", "gocraft", "registertask", "handlefunc", "cron"),
    "java": ("@scheduled", "@async", "@kafkalistener", "@rabbitlistener", "@sqslistener", "@jmslistener", "org.quartz",
             "runnable", "callable", "executor", "new thread", "completablefuture"),
}
KEYWORDS["typescript"] = KEYWORDS["tsx"] = KEYWORDS["javascript"]
KEYWORDS["kotlin"] = KEYWORDS["java"] + ("launch", "async {", "thread {")


# Folders that by convention hold an application's jobs and workers and the code only they use
# (Rails' app/jobs, app/workers and app/sidekiq; a `jobs`, `workers`, `cron` or `consumers`
# package): every non-test file there is background code, like a `job_paths` match. A job's
# helper kept next to it (feedbin's `app/jobs/feed_crawler/lib/throttle.rb`) names no job API.
JOB_FOLDER = re.compile(r"(?:^|/)(jobs|workers|sidekiq|cron|crons|cronjobs|crontab|consumers)/", re.IGNORECASE)

# Files of one family call each other; the globs `git grep` searches for a name.
FAMILY_GLOBS = {
    "ruby": ("*.rb", "*.rake"),
    "javascript": ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.mts", "*.cts"),
    "go": ("*.go",),
    "java": ("*.java", "*.kt"),
}
_FAMILY = {"typescript": "javascript", "tsx": "javascript", "kotlin": "java"}


def family_of(language: str) -> str:
    return _FAMILY.get(language, language)
