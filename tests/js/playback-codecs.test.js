import assert from "node:assert/strict";
import { test } from "node:test";

import { canDecode, cannotDecodeText, codecName } from "../../static/js/playback/codecs.js";

const onlyH264 = (type) => type.includes("avc1");

test("a browser without H.265 is told so, in words", () => {
  assert.equal(canDecode("hvc1.1.6.L93.B0", onlyH264), false);
  assert.equal(canDecode("avc1.640029,mp4a.40.2", onlyH264), true);
  assert.match(cannotDecodeText("hev1.1.6.L93.B0"), /cannot decode .*\(H\.265\)/);
});

test("without MediaSource (native HLS) or codecs, the player decides", () => {
  assert.equal(canDecode("hvc1.1.6.L93.B0", null), true);
  assert.equal(canDecode("", onlyH264), true);
});

test("codec names for people", () => {
  assert.equal(codecName("avc1.640029"), "H.264");
  assert.equal(codecName("av01.0.08M.08"), "AV1");
  assert.equal(codecName(""), "unknown");
});
