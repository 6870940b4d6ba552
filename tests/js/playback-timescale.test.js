import assert from "node:assert/strict";
import { test } from "node:test";

import {
  fractionAt, hourTicks, pixelAt, spanOf, timeAtFraction, timeAtPixel,
} from "../../static/js/playback/timescale.js";

const H = 3600 * 1000;
const view = { start: Date.UTC(2026, 2, 1, 0, 0), end: Date.UTC(2026, 2, 2, 0, 0) };

test("time and bar position map both ways", () => {
  const noon = Date.UTC(2026, 2, 1, 12, 0);
  assert.equal(fractionAt(view, noon), 0.5);
  assert.equal(timeAtFraction(view, 0.5), noon);
  assert.equal(pixelAt(view, 960, noon), 480);
  assert.equal(timeAtPixel(view, { left: 100, width: 960 }, 100 + 480), noon);
});

test("a pointer outside the bar stays on the view's ends", () => {
  assert.equal(timeAtPixel(view, { left: 100, width: 960 }, 0), view.start);
  assert.equal(timeAtPixel(view, { left: 100, width: 960 }, 5000), view.end);
  assert.equal(timeAtPixel(view, { left: 0, width: 0 }, 10), view.start);
});

test("intervals are cut to the view, and those outside give nothing", () => {
  assert.deepEqual(spanOf(view, view.start - H, view.start + 6 * H), { left: 0, width: 0.25 });
  assert.equal(spanOf(view, view.end + H, view.end + 2 * H), null);
  assert.equal(spanOf(view, view.start - 2 * H, view.start - H), null);
});

test("ticks fall on whole hours every step", () => {
  const ticks = hourTicks({ start: view.start + 1, end: view.end }, 6);
  assert.deepEqual(ticks.map((t) => new Date(t).getUTCHours()), [6, 12, 18, 0]);
});
