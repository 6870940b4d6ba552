import assert from "node:assert/strict";
import { test } from "node:test";

import { clipDuration, eventDuration, formatTime, humanSize, localPath } from "../../static/js/format.js";

test("only same-site paths are followed", () => {
  assert.equal(localPath("/alerts/?event=1"), "/alerts/?event=1");
  assert.equal(localPath("//evil.example/x"), "");
  assert.equal(localPath("https://evil.example/x"), "");
  assert.equal(localPath("javascript:alert(1)"), "");
  assert.equal(localPath(null), "");
});

test("times look like the server's rows, in the given time zone", () => {
  assert.equal(formatTime("2026-03-01T09:00:00Z", "UTC"), "2026-03-01 09:00:00 UTC");
  assert.match(formatTime("2026-07-01T09:00:00Z", "Europe/Berlin"), /^2026-07-01 11:00:00 /);
});

test("a time zone the browser does not know falls back to the browser's own", () => {
  assert.match(formatTime("2026-03-01T09:00:00Z", "Not/A_Zone"), /^2026-03-0[12] \d\d:00:00 /);
  assert.match(formatTime("2026-03-01T09:00:00Z", ""), /^2026-03-0[12] \d\d:00:00 /);
});

test("an unreadable time gives nothing", () => {
  assert.equal(formatTime("not a date", "UTC"), "");
});

test("event durations use seconds, then minutes, then hours", () => {
  assert.equal(eventDuration(42.4), "42 s");
  assert.equal(eventDuration(-2), "0 s");
  assert.equal(eventDuration(120), "2 min");
  assert.equal(eventDuration(185), "3 min 5 s");
  assert.equal(eventDuration(7800), "2 h 10 min");
});

test("clip lengths are minutes only when whole", () => {
  assert.equal(clipDuration(30), "30 s");
  assert.equal(clipDuration(300), "5 min");
  assert.equal(clipDuration(90), "90 s");
});

test("sizes grow units by 1024", () => {
  assert.equal(humanSize(512), "512 bytes");
  assert.equal(humanSize(1536), "1.5 KB");
  assert.equal(humanSize(5 * 1024 ** 3), "5.0 GB");
  assert.equal(humanSize(null), "");
  assert.equal(humanSize(undefined), "");
});
