export const queueConfig = {
  default: { concurrency: 10, attempts: 3 },
  payouts: { concurrency: 1, attempts: 1 },
};
