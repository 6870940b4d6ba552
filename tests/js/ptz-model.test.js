import assert from "node:assert/strict";
import { test } from "node:test";

import { isStill, lockText, moveCommand, positionText, presetLabel, velocity } from "../../static/js/ptz-model.js";

test("held inputs add up, scaled by the speed", () => {
  assert.deepEqual(velocity({ "key:ArrowUp": "up", "pointer:1": "left" }, 0.5), [-0.5, 0.5, 0]);
  assert.deepEqual(velocity({ "key:+": "in" }, 1), [0, 0, 1]);
});

test("two inputs the same way do not go faster, opposite ones cancel", () => {
  assert.deepEqual(velocity({ a: "right", b: "right" }, 0.4), [0.4, 0, 0]);
  const cancelled = velocity({ a: "left", b: "right" }, 0.4);
  assert.equal(isStill(cancelled), true);
});

test("nothing held is still", () => {
  assert.equal(isStill(velocity({}, 0.5)), true);
});

test("a move names only the axes the camera moves continuously", () => {
  const v = [0.5, -0.5, 0.25];
  assert.deepEqual(moveCommand(v, { continuous_pan_tilt: true, continuous_zoom: true }),
    { action: "move", pan: 0.5, tilt: -0.5, zoom: 0.25 });
  assert.deepEqual(moveCommand(v, { continuous_zoom: true }), { action: "move", zoom: 0.25 });
});

test("the lock line says who controls the camera", () => {
  assert.equal(lockText({ held: false }), "Nobody controls this camera.");
  assert.equal(lockText({ held: true, mine: true }), "You control this camera.");
  assert.equal(lockText({ held: true, mine: false, holder: "ann@example.com", expires_in: 4.2 }),
    "Controlled by ann@example.com (for up to 5 s).");
  assert.equal(lockText({ held: true, mine: false, holder: "ann@example.com" }), "Controlled by ann@example.com.");
});

test("the position line shows two decimals and whether it moves", () => {
  assert.equal(positionText({ updated_at: null }), "Position: not read yet");
  assert.equal(positionText({ updated_at: "x", pan: 0.1, tilt: -0.25, zoom: null, moving: true }),
    "Pan 0.10 · Tilt -0.25 · Zoom – · moving");
  assert.equal(positionText({ updated_at: "x", pan: 0, tilt: 0, zoom: 1, moving: false }),
    "Pan 0.00 · Tilt 0.00 · Zoom 1.00 · idle");
});

test("a preset's label says when the camera is still saving or removing it", () => {
  assert.equal(presetLabel({ name: "Gate", ready: false, removing: false }), "Gate (saving…)");
  assert.equal(presetLabel({ name: "Gate", ready: true, removing: true }), "Gate (removing…)");
  assert.equal(presetLabel({ name: "Gate", ready: true, removing: false }), "Gate");
});
