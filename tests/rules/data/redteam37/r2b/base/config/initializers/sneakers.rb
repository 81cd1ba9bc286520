require "sneakers"

BulkImportWorker.from_queue("bulk_imports", threads: 1, prefetch: 1)

Sneakers.configure(
  amqp: ENV.fetch("AMQP_URL"),
  exchange: "events",
  workers: 2,
  threads: 10,
  prefetch: 10
)
