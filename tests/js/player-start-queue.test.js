import assert from "node:assert/strict";
import { test } from "node:test";

import { StartQueue } from "../../static/js/player/start-queue.js";

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
