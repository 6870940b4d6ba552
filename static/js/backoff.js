// Exponential backoff with jitter, for everything that reconnects (the event stream, live players):
// a gateway or portal restart is then not met by every page and tile in the same second.

export const BACKOFF = Object.freeze({ minMs: 1000, maxMs: 30000, jitter: 0.2 });

// Whole milliseconds to wait before try number `attempt` (0 for the first retry): minMs doubling up
// to maxMs, then spread by +-jitter (a fraction). `random` is Math.random unless a test passes one.
export const backoffDelay = (attempt, { minMs, maxMs, jitter } = BACKOFF, random = Math.random) => {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt, 0), 10));
  return Math.round(base * (1 - jitter + random() * 2 * jitter));
};
