// Recording health badges that follow "recording.status" events live (camera page, dashboard).
// It listens on the page's one event stream (events.js). Event data is only ever set as text.

import { subscribe } from "./events.js";

const LABELS = {
  off: "Not recording",
  waiting: "Waiting for a recorder",
  recording: "Recording",
  reconnecting: "Reconnecting",
  failing: "Failing",
};

export function showRecordingStatus(root, message) {
  const state = Object.hasOwn(LABELS, message.state) ? message.state : "off";
  root.querySelectorAll("[data-recording-status]").forEach((badge) => {
    if (badge.getAttribute("data-recording-status") !== message.camera) return;
    badge.className = `badge badge-rec badge-rec-${state}`;
    badge.textContent = typeof message.label === "string" && message.label ? message.label : LABELS[state];
    badge.title = message.reason || LABELS[state];
  });
  root.querySelectorAll("[data-recording-reason]").forEach((reason) => {
    if (reason.getAttribute("data-recording-reason") === message.camera) reason.textContent = message.reason || "";
  });
}

function follow() {
  if (!document.querySelector("[data-recording-status]")) return;
  subscribe((message) => {
    if (message.type === "recording.status" && typeof message.camera === "string") {
      showRecordingStatus(document, message);
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", follow);
else follow();
