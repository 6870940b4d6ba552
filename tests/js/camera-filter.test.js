import assert from "node:assert/strict";
import { test } from "node:test";

import { cameraMatches, normalise, thumbnailUrl } from "../../static/js/camera-filter.js";

test("names are compared without case, accents or extra spaces", () => {
  assert.equal(normalise("  Café   Entrée "), "cafe entree");
  assert.equal(normalise(undefined), "");
});

test("every word of the search must be in the name, in any order", () => {
  const camera = { name: "Car park North gate", status: "online" };
  assert.equal(cameraMatches(camera, "gate north"), true);
  assert.equal(cameraMatches(camera, "GATE"), true);
  assert.equal(cameraMatches(camera, "gate south"), false);
  assert.equal(cameraMatches(camera, ""), true);
  assert.equal(cameraMatches(camera, "   "), true);
});

test("offline only keeps offline cameras, with or without a search", () => {
  assert.equal(cameraMatches({ name: "Lobby", status: "offline" }, "", true), true);
  assert.equal(cameraMatches({ name: "Lobby", status: "online" }, "", true), false);
  assert.equal(cameraMatches({ name: "Lobby", status: "unknown" }, "lob", true), false);
  assert.equal(cameraMatches({ name: "Lobby", status: "offline" }, "dock", true), false);
});

test("the picture's address changes once a minute and keeps its path", () => {
  const base = "/cameras/abc/thumbnail.jpg";
  assert.equal(thumbnailUrl(base, 120_000), "/cameras/abc/thumbnail.jpg?t=2");
  assert.equal(thumbnailUrl(base, 179_999), "/cameras/abc/thumbnail.jpg?t=2");
  assert.equal(thumbnailUrl(`${base}?t=1`, 180_000), "/cameras/abc/thumbnail.jpg?t=3");
});
