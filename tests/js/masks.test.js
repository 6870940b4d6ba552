import assert from "node:assert/strict";
import { test } from "node:test";

import { pointIn, readMasks, samePoint } from "../../static/js/masks.js";

test("saved masks are read back; anything else is no mask", () => {
  assert.deepEqual(readMasks("[[[0,0],[1,0],[1,1]]]"), [[[0, 0], [1, 0], [1, 1]]]);
  assert.deepEqual(readMasks(""), []);
  assert.deepEqual(readMasks("{broken"), []);
  assert.deepEqual(readMasks('{"a": 1}'), []);
  assert.deepEqual(readMasks('[[[0,0]], "junk", 3]'), [[[0, 0]]]);
});

test("a click becomes a point in 0..1 of the picture, rounded to 4 places", () => {
  const box = { left: 10, top: 20, width: 300, height: 200 };
  assert.deepEqual(pointIn(box, 160, 120), [0.5, 0.5]);
  assert.deepEqual(pointIn(box, 110, 20), [0.3333, 0]);
});

test("clicks outside the picture land on its edge", () => {
  const box = { left: 0, top: 0, width: 100, height: 100 };
  assert.deepEqual(pointIn(box, -50, 500), [0, 1]);
});

test("the two clicks of a double-click are one point", () => {
  const box = { width: 640, height: 360 };
  assert.equal(samePoint([0.5, 0.5], [0.5 + 3 / 640, 0.5], box), true);
  assert.equal(samePoint([0.5, 0.5], [0.5 + 10 / 640, 0.5], box), false);
  assert.equal(samePoint(undefined, [0.5, 0.5], box), false);
});
