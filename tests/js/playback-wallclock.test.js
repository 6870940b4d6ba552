import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SESSION_SPAN_MS, changeSpeed, nextEvent, positionAt, previousEvent, sessionRange, stepFrom, wallClockAt,
} from "../../static/js/playback/wallclock.js";

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
// Two segments back to back, then a five-minute gap, then one more (a new run).
const fragments = [
  { start: 0, duration: 10, pdt: T0 },
  { start: 10, duration: 10, pdt: T0 + 10_020 },
  { start: 20, duration: 10, pdt: T0 + 320_000 },
];

test("playlist time gives the wall clock of the segment under it", () => {
  assert.equal(wallClockAt(fragments, 0), T0);
  assert.equal(wallClockAt(fragments, 5.5), T0 + 5_500);
  assert.equal(wallClockAt(fragments, 12), T0 + 12_020);
  assert.equal(wallClockAt(fragments, 25), T0 + 325_000);
  assert.equal(wallClockAt(fragments, 99), T0 + 330_000); // past the end: the last frame's time
  assert.equal(wallClockAt([], 1), null);
});

test("a wall-clock moment gives its playlist position", () => {
  assert.equal(positionAt(fragments, T0 + 5_500), 5.5);
  assert.equal(positionAt(fragments, T0 + 15_020), 15);
  assert.equal(positionAt(fragments, T0 + 321_000), 21);
});

test("a moment in a gap or before the footage plays the next footage; after it, nothing", () => {
  assert.equal(positionAt(fragments, T0 + 60_000), 20);
  assert.equal(positionAt(fragments, T0 - 60_000), 0);
  assert.equal(positionAt(fragments, T0 + 400_000), null);
  assert.equal(positionAt([], T0), null);
});

test("the two mappings invert each other inside footage", () => {
  for (const seconds of [0, 3.25, 10, 19.9, 20, 29.5]) {
    assert.ok(Math.abs(positionAt(fragments, wallClockAt(fragments, seconds)) - seconds) < 1e-9);
  }
});

test("arrow steps move by wall clock, skip gaps and stop at the first footage", () => {
  assert.equal(stepFrom(fragments, T0 + 5_000, 10), 15 - 0.02);
  assert.equal(stepFrom(fragments, T0 + 15_020, 10), 20); // into the gap: next footage
  assert.equal(stepFrom(fragments, T0 + 3_000, -10), 0);
});

test("previous and next events around a moment", () => {
  const events = [{ playFrom: T0 }, { playFrom: T0 + 60_000 }, { playFrom: T0 + 120_000 }];
  assert.equal(nextEvent(events, T0 + 500), events[1]);
  assert.equal(nextEvent(events, T0 + 120_000), null);
  assert.equal(previousEvent(events, T0 + 61_000), events[0]); // just started this one: go one back
  assert.equal(previousEvent(events, T0 + 100_000), events[1]);
  assert.equal(previousEvent(events, T0), null);
});

test("speeds climb and fall along 1x to 16x and stop at the ends", () => {
  assert.equal(changeSpeed(1, 1), 2);
  assert.equal(changeSpeed(16, 1), 16);
  assert.equal(changeSpeed(4, -1), 2);
  assert.equal(changeSpeed(1, -1), 1);
});

test("hls.js fragments (programDateTime) work as they are", () => {
  const hlsFragments = fragments.map((f) => ({ start: f.start, duration: f.duration, programDateTime: f.pdt }));
  assert.equal(wallClockAt(hlsFragments, 12), T0 + 12_020);
  assert.equal(positionAt(hlsFragments, T0 + 321_000), 21);
});

test("a session covers the moment and at most a day, never past now", () => {
  const now = T0;
  const recent = sessionRange(now - 60_000, now);
  assert.equal(recent.end, now);
  assert.equal(recent.end - recent.start, SESSION_SPAN_MS);
  const old = sessionRange(now - 5 * 24 * 3600 * 1000, now);
  assert.ok(old.start <= now - 5 * 24 * 3600 * 1000 && now - 5 * 24 * 3600 * 1000 < old.end);
  assert.equal(old.end - old.start, SESSION_SPAN_MS);
  assert.ok(SESSION_SPAN_MS < 24 * 3600 * 1000);
});
