import assert from "node:assert/strict";
import { test } from "node:test";

import { csrfFromCookie, failureText, firstError, HttpError } from "../../static/js/http.js";

test("the CSRF token is read from its cookie among others", () => {
  assert.equal(csrfFromCookie("sessionid=abc; csrftoken=t0k%3Den; theme=dark"), "t0k=en");
  assert.equal(csrfFromCookie("csrftoken=first"), "first");
});

test("no CSRF cookie gives an empty token, and a look-alike name is not taken", () => {
  assert.equal(csrfFromCookie(""), "");
  assert.equal(csrfFromCookie("xcsrftoken=nope"), "");
  assert.equal(csrfFromCookie(undefined), "");
});

test("a lone detail is the message", () => {
  assert.equal(firstError({ detail: "Not found." }, "fallback"), "Not found.");
});

test("the first field error wins over a detail that comes with fields", () => {
  assert.equal(firstError({ detail: "Invalid.", name: ["Too long."], other: ["Later."] }, "fallback"), "Too long.");
});

test("the PTZ lock is state, not an error message", () => {
  const body = { lock: ["held"], detail: "Someone else controls this camera." };
  assert.equal(firstError(body, "fallback"), "Someone else controls this camera.");
});

test("an empty or non-JSON answer gives the fallback", () => {
  assert.equal(firstError({}, "The camera could not do that."), "The camera could not do that.");
  assert.equal(firstError(null, "fallback"), "fallback");
});

test("a failure reads the API's detail, else names the status", () => {
  assert.equal(failureText(400, { detail: "Duration too long." }), "Duration too long.");
  assert.equal(failureText(502, {}), "The request failed (502).");
});

test("HttpError carries the status, the body and the readable message", () => {
  const error = new HttpError(403, { detail: "Not allowed." });
  assert.equal(error.message, "Not allowed.");
  assert.equal(error.status, 403);
  assert.deepEqual(error.body, { detail: "Not allowed." });
});
