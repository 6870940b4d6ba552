import assert from "node:assert/strict";
import { test } from "node:test";

import { lane, leaderIndex, syncAction } from "../../static/js/playback/sync.js";

test("the leader is the first tile with a frame that is not waiting out a gap", () => {
  assert.equal(leaderIndex([{ wall: null }, { wall: 5, waiting: true }, { wall: 7 }, { wall: 9 }]), 2);
  assert.equal(leaderIndex([{ wall: null }, { wall: null }]), -1);
});

test("a tile in step keeps playing; one too far behind or ahead within a gap's margin seeks", () => {
  assert.equal(syncAction({ wall: 10_300 }, 10_000), "keep");
  assert.equal(syncAction({ wall: 9_000 }, 10_000), "seek");
  assert.equal(syncAction({ wall: 11_500 }, 10_000), "seek");
});

test("a tile with nothing on screen loads the leader's moment", () => {
  assert.equal(syncAction({ wall: null }, 10_000), "load");
});

test("a tile showing later footage waits until the leader reaches it, then plays", () => {
  assert.equal(syncAction({ wall: 40_000 }, 10_000), "wait");
  assert.equal(syncAction({ wall: 40_000, waiting: true }, 38_500), "wait");
  assert.equal(syncAction({ wall: 40_000, waiting: true }, 39_600), "play");
});

test("a lane merges touching and overlapping intervals, oldest first", () => {
  const iso = (ms) => new Date(ms).toISOString();
  const spans = lane([
    { start: iso(20_000), end: iso(30_000) }, { start: iso(0), end: iso(10_000) }, { start: iso(10_000), end: iso(15_000) },
  ]);
  assert.deepEqual(spans, [{ start: 0, end: 15_000 }, { start: 20_000, end: 30_000 }]);
});
