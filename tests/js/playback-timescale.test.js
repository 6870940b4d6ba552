import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SPANS, fractionAt, panView, pixelAt, spanOf, tickStep, ticks, timeAtFraction, timeAtPixel, zoomView,
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

test("ticks fall on whole steps that fit the span", () => {
  assert.equal(tickStep(view), 180 * 60 * 1000);
  assert.deepEqual(ticks({ start: view.start + 1, end: view.end }).map((t) => new Date(t).getUTCHours()),
    [3, 6, 9, 12, 15, 18, 21, 0]);
  assert.equal(tickStep({ start: 0, end: 5 * 60 * 1000 }), 60 * 1000);
  assert.equal(ticks({ start: 30_000, end: 5 * 60 * 1000 }).length, 5);
});

test("zooming keeps the moment under the pointer in place and stops at 5 minutes and 7 days", () => {
  const now = view.end;
  const anchor = view.start + 6 * H; // a quarter of the bar
  const closer = zoomView(view, -1, anchor, now);
  assert.equal(closer.end - closer.start, 6 * H);
  assert.equal(fractionAt(closer, anchor), 0.25);
  let tight = view;
  for (let i = 0; i < 10; i += 1) tight = zoomView(tight, -1, anchor, now);
  assert.equal(tight.end - tight.start, SPANS[0]);
  let wide = view;
  for (let i = 0; i < 10; i += 1) wide = zoomView(wide, 1, anchor, now);
  assert.equal(wide.end - wide.start, 7 * 24 * H);
  assert.equal(wide.end, now); // never past now
});

test("the buttons' zoom puts the playing moment in the middle, unless that would reach past now", () => {
  const anchor = view.start + 6 * H;
  const centred = zoomView(view, -1, anchor, view.end, { center: true });
  assert.equal(fractionAt(centred, anchor), 0.5);
  const late = zoomView(view, -1, view.end - H, view.end, { center: true });
  assert.equal(late.end, view.end);
});

test("panning moves by a share of the span and never past now", () => {
  const earlier = panView(view, -0.5, view.end);
  assert.deepEqual(earlier, { start: view.start - 12 * H, end: view.end - 12 * H });
  assert.deepEqual(panView(earlier, 1, view.end), view);
});
