// The camera form's "Test connection" buttons: send one stream's typed address and password to the
// portal, which checks it like a save would and asks the gateway to try it; show the answer. Nothing
// is saved. Without this file the form still works (the test after saving covers it).

import { request } from "./http.js";

const OUTCOME_CLASSES = ["is-ok", "is-warning", "is-error"];

const show = (output, text, kind) => {
  output.classList.remove(...OUTCOME_CLASSES);
  if (kind) output.classList.add(kind);
  output.textContent = text;
};

const runTest = async (group, button, output) => {
  const stream = group.dataset.stream;
  const source = group.querySelector(`[name="${stream}_source"]`);
  const password = group.querySelector(`[name="${stream}_password"]`);
  button.disabled = true;
  show(output, "Testing… (a few seconds)", "");
  try {
    const reply = await request("POST", group.dataset.sourceTest, {
      body: { stream, source: source ? source.value.trim() : "", password: password ? password.value : "" },
    });
    if (reply.ok) {
      show(output, reply.body.message, reply.body.ok ? "is-ok" : "is-warning");
    } else {
      show(output, reply.body.detail || `The test failed (${reply.status}).`, "is-error");
    }
  } catch {
    show(output, "The portal could not be reached; check your connection.", "is-error");
  } finally {
    button.disabled = false;
  }
};

document.querySelectorAll("[data-source-test]").forEach((group) => {
  const button = group.querySelector("[data-source-test-button]");
  const output = group.querySelector("[data-source-test-result]");
  if (!button || !output) return;
  button.addEventListener("click", () => runTest(group, button, output));
});
