import assert from "node:assert/strict";
import { test } from "node:test";

import { boxRects, parseBoxes } from "../../static/js/boxes.js";

test("a box becomes percentages of the picture", () => {
  assert.deepEqual(boxRects([[0.1, 0.2, 0.3, 0.4]]), [{ left: "10%", top: "20%", width: "30%", height: "40%" }]);
});

test("boxes reaching past the picture are clipped to it", () => {
  assert.deepEqual(boxRects([[0.8, -0.1, 0.5, 0.3]]), [{ left: "80%", top: "0%", width: "20%", height: "20%" }]);
});

test("boxes of no size or of the wrong shape are left out", () => {
  assert.deepEqual(boxRects([[0.1, 0.1, 0, 0.2], [0.1, 0.1, 0.2], ["0.1", 0.1, 0.2, 0.2], null, [1.2, 0, 0.1, 0.1]]), []);
  assert.deepEqual(boxRects("not a list"), []);
});

test("the data attribute's text is read as JSON, anything else as no boxes", () => {
  assert.deepEqual(parseBoxes("[[0.1,0.2,0.3,0.4]]"), [[0.1, 0.2, 0.3, 0.4]]);
  assert.deepEqual(parseBoxes("{\"x\": 1}"), []);
  assert.deepEqual(parseBoxes("not json"), []);
  assert.deepEqual(parseBoxes(""), []);
});
