"""The family's cheap pre-filter, apart so that the gate imports nothing else."""

from __future__ import annotations

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

