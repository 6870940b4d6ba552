import assert from "node:assert/strict";
import { test } from "node:test";

import { BACKOFF, backoffDelay } from "../../static/js/backoff.js";

const middle = () => 0.5; // no jitter: the base delay itself

test("the first retry waits the minimum and each next one twice as long", () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, BACKOFF, middle)), [1000, 2000, 4000, 8000]);
});

test("the wait stops growing at the maximum", () => {
  assert.equal(backoffDelay(5, BACKOFF, middle), 30000);
  assert.equal(backoffDelay(99, BACKOFF, middle), 30000);
});

test("jitter spreads a wait by the given fraction either way", () => {
  assert.equal(backoffDelay(0, BACKOFF, () => 0), 800);
  assert.equal(backoffDelay(0, BACKOFF, () => 1), 1200);
  assert.equal(backoffDelay(99, BACKOFF, () => 1), 36000);
});

test("a negative attempt counts as the first", () => {
  assert.equal(backoffDelay(-3, BACKOFF, middle), 1000);
});

test("other bounds are honoured", () => {
  assert.equal(backoffDelay(3, { minMs: 100, maxMs: 500, jitter: 0 }), 500);
  assert.equal(backoffDelay(1, { minMs: 100, maxMs: 500, jitter: 0 }), 200);
});
