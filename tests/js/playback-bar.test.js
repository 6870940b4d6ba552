import assert from "node:assert/strict";
import { test } from "node:test";

import { clickEchoesTap, movedView } from "../../static/js/playback/bar.js";
import { DAY_MS } from "../../static/js/playback/timescale.js";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const DAY = { start: NOW - DAY_MS, end: NOW };

test("zooming in from a day keeps the anchor in the middle of a narrower view", () => {
  const anchor = NOW - 3 * 3600 * 1000;
  const view = movedView(DAY, "in", anchor, NOW);
  assert.ok(view.end - view.start < DAY_MS);
  assert.ok(Math.abs((view.start + view.end) / 2 - anchor) < 1000);
});

test("earlier moves the view back by half its width, later not past now", () => {
  const earlier = movedView(DAY, "earlier", NOW, NOW);
  assert.equal(earlier.end, NOW - DAY_MS / 2);
  assert.equal(movedView(DAY, "later", NOW, NOW).end, NOW);
});

test("a click soon after a tap is the tap's echo; a click before any tap is a click", () => {
  assert.equal(clickEchoesTap(5300, 5000), true);
  assert.equal(clickEchoesTap(5900, 5000), false);
  assert.equal(clickEchoesTap(300, null), false); // the page's first moments (performance.now() is small)
});
