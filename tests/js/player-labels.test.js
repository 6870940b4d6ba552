import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeTitle } from "../../static/js/player/labels.js";

test("a tile's mark names its state and, while it plays or starts, the transport", () => {
  assert.equal(badgeTitle({ state: "live", mode: "webrtc", text: "" }), "Live over WebRTC");
  assert.equal(badgeTitle({ state: "live", mode: "mse", text: "" }), "Live over MSE");
  assert.equal(badgeTitle({ state: "connecting", mode: "", text: "" }), "Connecting");
  assert.equal(badgeTitle({ state: "connecting", mode: "mse", text: "Switching to the fallback stream." }),
    "Connecting over MSE: Switching to the fallback stream.");
});

test("a paused or refused tile says why, without a transport", () => {
  assert.equal(badgeTitle({ state: "paused", mode: "webrtc", text: "Paused while not visible." }),
    "Paused: Paused while not visible.");
  assert.equal(badgeTitle({ state: "denied", mode: "webrtc", text: "No access." }), "No access: No access.");
  assert.equal(badgeTitle({ state: "offline", mode: "", text: "This camera has no gateway." }),
    "Offline: This camera has no gateway.");
});
