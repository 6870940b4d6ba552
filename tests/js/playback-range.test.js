import assert from "node:assert/strict";
import { test } from "node:test";

import { exportBody, markedRange, rangeLength, rangeProblem } from "../../static/js/playback/range.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");

test("a range needs both ends and is earliest first, however it was marked", () => {
  assert.equal(markedRange({ start: 5000, end: null }), null);
  assert.deepEqual(markedRange({ start: 9000, end: 4000 }), { start: 4000, end: 9000 });
});

test("what cannot be exported is said in words", () => {
  assert.match(rangeProblem(null, NOW), /Mark where the export starts/);
  assert.match(rangeProblem({ start: NOW - 60_000, end: NOW - 59_500 }, NOW), /same moment/);
  assert.match(rangeProblem({ start: NOW - 25 * 3600_000, end: NOW }, NOW), /at most 24 hours/);
  assert.match(rangeProblem({ start: NOW, end: NOW + 31 * 60_000 }, NOW), /30 minutes past now/);
  assert.equal(rangeProblem({ start: NOW - 60_000, end: NOW + 60_000 }, NOW), null);
});

test("the length is said as the event lengths are", () => {
  assert.equal(rangeLength({ start: 0, end: 30_000 }), "30 s");
  assert.equal(rangeLength({ start: 0, end: 185_000 }), "3 min 5 s");
});

test("one camera asks for a range clip, several for a multi-camera export", () => {
  const range = { start: NOW - 30_000, end: NOW };
  assert.deepEqual(exportBody({ kind: "clip", cameras: ["c1"] }, range, "sub"),
    { camera: "c1", start: "2026-03-01T11:59:30.000Z", end: "2026-03-01T12:00:00.000Z", stream: "sub" });
  assert.deepEqual(exportBody({ kind: "bundle", cameras: ["c1", "c2"] }, range, ""),
    { cameras: ["c1", "c2"], start: "2026-03-01T11:59:30.000Z", end: "2026-03-01T12:00:00.000Z" });
});
