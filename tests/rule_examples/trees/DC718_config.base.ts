// path: packages/backend/src/config.ts
export function parseConfig(raw: Record<string, string | undefined>, test: boolean) {
  return {
    computeWaitMaxAttempts: parseAttempts(
      raw.COMPUTE_WAIT_MAX_ATTEMPTS,
      test ? 1 : 3,
    ),
    webhookRetryDelayMs: 1000,
    exportConcurrency: 2,
    pageSize: 50,
  };
}

function parseAttempts(value: string | undefined, fallback: number): number {
  return value ? parseInt(value, 10) : fallback;
}
