import assert from "node:assert/strict";
import { test } from "node:test";

import {
  closeOutcome, errorOutcome, frameVerdict, parseRelayError, probeOutcome,
} from "../../static/js/player/outcomes.js";

// Made-up values: the outcomes must follow the page config (signaling/protocol.py), not numbers of their own.
const CODES = { unauthenticated: 1, notFound: 2, limit: 3, upstream: 4, tryLater: 5, mfaRequired: 6 };
const ERRORS = {
  codecMismatch: "e-codec", accessRevoked: "e-revoked", tooManySessions: "e-many", refused: "e-refused",
  cameraUnavailable: "e-camera-off", streamUnavailable: "e-stream",
};

test("a relay error splits into its code and its sentence", () => {
  assert.deepEqual(parseRelayError("stream_unavailable: Not there yet; retrying."),
    { code: "stream_unavailable", text: "Not there yet; retrying." });
  assert.deepEqual(parseRelayError("no code here"), { code: "", text: "no code here" });
  assert.deepEqual(parseRelayError(":leading colon"), { code: "", text: ":leading colon" });
});

test("a codec the browser cannot play over WebRTC falls back to MSE, and over MSE is final", () => {
  const error = { code: "e-codec", text: "Cannot play." };
  assert.deepEqual(errorOutcome(error, "webrtc", ERRORS), { action: "fallback" });
  assert.deepEqual(errorOutcome(error, "mse", ERRORS), { action: "give-up", state: "error", text: "Cannot play." });
});

test("revoked access is denied for good", () => {
  assert.deepEqual(errorOutcome({ code: "e-revoked", text: "Gone." }, "webrtc", ERRORS),
    { action: "give-up", state: "denied", text: "Gone." });
});

test("too many sessions and refused frames are final errors", () => {
  for (const code of ["e-many", "e-refused"]) {
    assert.equal(errorOutcome({ code, text: "x" }, "webrtc", ERRORS).action, "give-up");
  }
});

test("a disabled camera is retried with the longest wait, anything else with the normal backoff", () => {
  assert.deepEqual(errorOutcome({ code: "e-camera-off", text: "Disabled." }, "webrtc", ERRORS),
    { action: "retry", state: "offline", text: "Disabled.", slow: true });
  assert.deepEqual(errorOutcome({ code: "e-stream", text: "Soon." }, "mse", ERRORS),
    { action: "retry", state: "offline", text: "Soon.", slow: false });
  assert.equal(errorOutcome({ code: "", text: "?" }, "mse", ERRORS).action, "retry");
});

test("no error code matches while the page config is missing", () => {
  assert.equal(errorOutcome({ code: "e-codec", text: "x" }, "webrtc", {}).action, "retry");
});

test("closed as unauthenticated or not found: no access", () => {
  for (const code of [1, 2]) {
    assert.deepEqual(closeOutcome(code, true, CODES),
      { action: "give-up", state: "denied", text: "You do not have access to this camera." });
  }
});

test("closed by the two-factor rule: no access until the app is set up, said so", () => {
  assert.deepEqual(closeOutcome(6, true, CODES), {
    action: "give-up", state: "denied",
    text: "Your organization requires two-factor authentication. Set it up in the portal first.",
  });
});

test("closed for the session cap: a final error that says what to do", () => {
  assert.deepEqual(closeOutcome(3, true, CODES),
    { action: "give-up", state: "error", text: "You have too many live views open; close some first." });
});

test("a socket refused before it opened asks the portal why", () => {
  assert.deepEqual(closeOutcome(1006, false, CODES), { action: "probe" });
});

test("an open socket that closes is retried: offline when the gateway is gone", () => {
  assert.deepEqual(closeOutcome(4, true, CODES),
    { action: "retry", state: "offline", text: "The video gateway is not reachable.", slow: false });
  assert.deepEqual(closeOutcome(1006, true, CODES),
    { action: "retry", state: "connecting", text: "Connection lost; reconnecting.", slow: false });
});

test("the access probe tells signed-out, denied and unreachable apart", () => {
  assert.deepEqual(probeOutcome(401), { action: "give-up", state: "denied", text: "Sign in again to watch." });
  assert.equal(probeOutcome(403).state, "denied");
  assert.equal(probeOutcome(404).state, "denied");
  assert.deepEqual(probeOutcome(200),
    { action: "retry", state: "offline", text: "The live service is not reachable.", slow: false });
  assert.equal(probeOutcome(502).action, "retry");
});

const look = (overrides) => ({
  frames: 10, lastFrames: 10, paused: false, hadFrames: true, idleMs: 0, live: true, ...overrides,
});

test("a new frame on a playing video is progress", () => {
  assert.equal(frameVerdict(look({ frames: 11 })), "advancing");
});

test("frames do not count while the video is paused or before the first", () => {
  assert.equal(frameVerdict(look({ frames: 11, paused: true })), "waiting");
  assert.equal(frameVerdict(look({ frames: 0, lastFrames: -1, hadFrames: false })), "waiting");
});

test("a live picture without new frames is frozen after 3 s and restarted after 15 s", () => {
  assert.equal(frameVerdict(look({ idleMs: 2000 })), "waiting");
  assert.equal(frameVerdict(look({ idleMs: 3500 })), "frozen");
  assert.equal(frameVerdict(look({ idleMs: 3500, live: false })), "waiting");
  assert.equal(frameVerdict(look({ idleMs: 16000, live: false })), "stalled");
});

test("no first frame within 40 s means no picture", () => {
  const never = { frames: 0, lastFrames: -1, hadFrames: false };
  assert.equal(frameVerdict(look({ ...never, idleMs: 39000 })), "waiting");
  assert.equal(frameVerdict(look({ ...never, idleMs: 41000 })), "no-picture");
});
