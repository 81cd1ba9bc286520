require "sneakers"

Sneakers.configure(
  amqp: ENV.fetch("AMQP_URL"),
  exchange: "events",
  workers: 2,
  threads: 10,
  prefetch: 10
)

BulkImportWorker.from_queue("bulk_imports", threads: 10, prefetch: 10)
