// path: packages/backend/src/config.ts
export function parseConfig(raw: Record<string, string | undefined>, test: boolean) {
  return {
    computeWaitMaxAttempts: parseAttempts(
      raw.COMPUTE_WAIT_MAX_ATTEMPTS,
      test ? 1 : 5,  // error: DC718
    ),
    webhookRetryDelayMs: 1000,
    exportConcurrency: 4,  // error: DC718
    pageSize: 100,  // ok: DC718 (not a retry or concurrency setting)
  };
}

function parseAttempts(value: string | undefined, fallback: number): number {
  return value ? parseInt(value, 10) : fallback;
}
