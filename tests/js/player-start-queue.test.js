import assert from "node:assert/strict";
import { test } from "node:test";

import { PicturesFirst, StartQueue } from "../../static/js/player/start-queue.js";

const recorder = () => {
  const started = [];
  return { started, start: (name) => () => started.push(name) };
};

test("up to the limit start at once, the rest wait their turn in order", () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 2);
  for (const name of ["a", "b", "c", "d"]) queue.request(name, start(name));
  assert.deepEqual(started, ["a", "b"]);
  queue.done("a");
  assert.deepEqual(started, ["a", "b", "c"]);
  queue.done("b");
  queue.done("c");
  assert.deepEqual(started, ["a", "b", "c", "d"]);
});

test("asking twice while waiting waits once", () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 1);
  queue.request("a", start("a"));
  queue.request("b", start("b"));
  queue.request("b", start("b"));
  queue.done("a");
  queue.done("b");
  assert.deepEqual(started, ["a", "b"]);
});

test("one that leaves while waiting never starts", () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 1);
  queue.request("a", start("a"));
  queue.request("b", start("b"));
  queue.request("c", start("c"));
  queue.done("b");
  queue.done("a");
  assert.deepEqual(started, ["a", "c"]);
});

test("done for one that never started frees nothing", () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 1);
  queue.request("a", start("a"));
  queue.request("b", start("b"));
  queue.done("stranger");
  assert.deepEqual(started, ["a"]);
});

test("a raised limit lets more start at the next turn", () => {
  const { started, start } = recorder();
  let limit = 1;
  const queue = new StartQueue(() => limit);
  for (const name of ["a", "b", "c"]) queue.request(name, start(name));
  limit = 3;
  queue.done("a");
  assert.deepEqual(started, ["a", "b", "c"]);
});

test("a held queue starts nothing new until released, then in order up to the limit", () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 2);
  queue.request("a", start("a"));
  queue.hold();
  for (const name of ["b", "c", "d"]) queue.request(name, start(name));
  queue.done("a");
  assert.deepEqual(started, ["a"]);
  queue.release();
  assert.deepEqual(started, ["a", "b", "c"]);
});

const fakeTimers = () => {
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (callback) => { timers.set(next, callback); return next++; },
    clearTimer: (id) => timers.delete(id),
    fire: () => { const callbacks = [...timers.values()]; timers.clear(); callbacks.forEach((cb) => cb()); },
    count: () => timers.size,
  };
};

// A roomy start queue behind a PicturesFirst gate, with timers the test fires.
const gated = () => {
  const { started, start } = recorder();
  const queue = new StartQueue(() => 10);
  const timers = fakeTimers();
  const pictures = new PicturesFirst({ queue, maxWaitMs: 1500, ...timers });
  return { started, start, queue, timers, pictures };
};

test("videos wait until every loading picture has settled", () => {
  const { started, start, queue, timers, pictures } = gated();
  pictures.loading("a");
  pictures.loading("b");
  queue.request("a", start("a"));
  queue.request("b", start("b"));
  pictures.settled("a");
  assert.deepEqual(started, []);
  pictures.settled("b");
  assert.deepEqual(started, ["a", "b"]);
  assert.equal(timers.count(), 0);
});

test("a picture that hangs holds the videos only until the time is up", () => {
  const { started, start, queue, timers, pictures } = gated();
  pictures.loading("a");
  queue.request("a", start("a"));
  timers.fire();
  assert.deepEqual(started, ["a"]);
  pictures.settled("a");  // late: changes nothing
  queue.request("b", start("b"));
  assert.deepEqual(started, ["a", "b"]);
});

test("a tile that leaves the page while its picture loads does not hold the others", () => {
  const { started, start, queue, pictures } = gated();
  pictures.loading("a");
  pictures.loading("gone");
  queue.request("a", start("a"));
  pictures.settled("a");
  assert.deepEqual(started, []);
  pictures.settled("gone");
  assert.deepEqual(started, ["a"]);
});
