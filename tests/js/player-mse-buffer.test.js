import assert from "node:assert/strict";
import { test } from "node:test";

import { joinChunks, liveEdgeSeek, supportedCodecs, trimEnd } from "../../static/js/player/mse-buffer.js";

test("chunks are joined in order into one buffer", () => {
  const joined = joinChunks([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3, 4, 5])]);
  assert.deepEqual([...joined], [1, 2, 3, 4, 5]);
});

test("a single chunk is appended as it is, without a copy", () => {
  const only = new Uint8Array([7, 8]);
  assert.equal(joinChunks([only]), only);
});

test("the offered codecs are those the browser says it plays, in preference order", () => {
  const asked = [];
  const codecs = supportedCodecs((mime) => {
    asked.push(mime);
    return mime.includes("avc1.640029") || mime.includes("opus");
  });
  assert.equal(codecs, "avc1.640029,opus");
  assert.equal(asked[0], 'video/mp4; codecs="avc1.640029"');
  assert.equal(supportedCodecs(() => false), "");
});

test("the buffer keeps 4 s behind the play position", () => {
  assert.equal(trimEnd(0, 10), 6);
  assert.equal(trimEnd(100, 110.5, 4), 106.5);
});

test("less than 2 s to remove is not worth a removal", () => {
  assert.equal(trimEnd(0, 5.9), null);
  assert.equal(trimEnd(3, 8), null);
});

test("a view more than 2 s behind the newest frame jumps to just before it", () => {
  assert.equal(liveEdgeSeek(0, 10, 7), 9.7);
  assert.equal(liveEdgeSeek(0, 10, 8.5), null);
});

test("a play position before the buffered range jumps into it", () => {
  assert.equal(liveEdgeSeek(5, 5.2, 1), 5);
});
