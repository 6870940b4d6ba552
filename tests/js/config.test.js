import assert from "node:assert/strict";
import { test } from "node:test";

import { parseConfig } from "../../static/js/config.js";

test("a config block is parsed as JSON", () => {
  assert.deepEqual(parseConfig('{"closeCodes": {"notFound": 4404}}'), { closeCodes: { notFound: 4404 } });
});

test("a missing, broken or non-object block is an empty config", (t) => {
  t.mock.method(console, "warn", () => {});
  assert.deepEqual(parseConfig(""), {});
  assert.deepEqual(parseConfig("{broken", "page-config"), {});
  assert.deepEqual(parseConfig("null"), {});
  assert.deepEqual(parseConfig("42"), {});
  assert.equal(console.warn.mock.calls.length, 1);
});
