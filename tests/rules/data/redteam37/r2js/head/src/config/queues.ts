export const queueConfig = {
  default: { concurrency: 10, attempts: 3 },
  payouts: { concurrency: 10, attempts: 3 },
};
