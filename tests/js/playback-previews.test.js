import assert from "node:assert/strict";
import { test } from "node:test";

import { PreviewLoader, previewAt, previewIndex } from "../../static/js/playback/previews.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 4, 8, 0, 0);
const at = (minutes) => new Date(T0 + minutes * MINUTE).toISOString();

const INDEX = previewIndex([
  { at: at(2), url: "/t/2" }, { at: at(0), url: "/t/0" }, { at: at(5), url: "/t/5" }, { at: "nonsense", url: "/x" },
]);

test("the index is sorted by time and leaves out what is not a time", () => {
  assert.deepEqual(INDEX.map((item) => item.url), ["/t/0", "/t/2", "/t/5"]);
  assert.deepEqual(previewIndex(undefined), []);
});

test("a moment shows its own minute's picture, and a minute without one shows none", () => {
  assert.equal(previewAt(INDEX, T0 + 30_000, MINUTE).url, "/t/0");
  assert.equal(previewAt(INDEX, T0 + 2 * MINUTE, MINUTE).url, "/t/2");
  assert.equal(previewAt(INDEX, T0 + 3 * MINUTE - 1, MINUTE).url, "/t/2");
  assert.equal(previewAt(INDEX, T0 + 3 * MINUTE, MINUTE), null); // minute 3 has no picture
  assert.equal(previewAt(INDEX, T0 - 1, MINUTE), null);
  assert.equal(previewAt(INDEX, T0 + 9 * MINUTE, MINUTE), null);
  assert.equal(previewAt([], T0, MINUTE), null);
  assert.equal(previewAt(INDEX, T0 + 4 * MINUTE, 3 * MINUTE).url, "/t/2"); // a thinned list spans more
});

// A loader whose loads finish when the test says so.
const harness = () => {
  const pending = [];
  const shown = [];
  const loader = new PreviewLoader(
    (url) => new Promise((resolve, reject) => { pending.push({ url, resolve, reject }); }),
    (url) => shown.push(url),
  );
  const settle = async (outcome = "resolve") => {
    pending.shift()[outcome](new Error("gone"));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { loader, pending, shown, settle };
};

test("a fast scrub loads one picture at a time and then only the last one asked for", async () => {
  const { loader, pending, shown, settle } = harness();
  for (const url of ["/t/0", "/t/1", "/t/2", "/t/3"]) loader.want(url);

  assert.deepEqual(pending.map((p) => p.url), ["/t/0"]);
  await settle();
  assert.deepEqual(pending.map((p) => p.url), ["/t/3"]); // 1 and 2 were never asked for
  assert.deepEqual(shown, []); // 0 arrived after the pointer moved on
  await settle();
  assert.deepEqual(shown, ["/t/3"]);
});

test("a picture loaded once is shown again without a request", async () => {
  const { loader, pending, shown, settle } = harness();
  loader.want("/t/0");
  await settle();
  loader.want("/t/0");
  loader.want("/t/0");

  assert.deepEqual(shown, ["/t/0", "/t/0", "/t/0"]);
  assert.equal(pending.length, 0);
});

test("leaving the bar cancels what was wanted, and a failed picture is not shown", async () => {
  const { loader, pending, shown, settle } = harness();
  loader.want("/t/0");
  loader.want(null);
  await settle();
  assert.deepEqual(shown, []);

  loader.want("/t/5");
  await settle("reject");
  assert.deepEqual(shown, []);
  assert.equal(pending.length, 0);
});

test("the loader forgets the oldest pictures beyond what it keeps", async () => {
  const shown = [];
  const loader = new PreviewLoader(async () => {}, (url) => shown.push(url), { keep: 2 });
  for (const url of ["/a", "/b", "/c"]) {
    loader.want(url);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual([...loader.loaded], ["/b", "/c"]);
});
