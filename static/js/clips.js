// Clips: the "Record clip" control of the live view and the live-updating clip list.
// Without this file both still work: the control is a plain form, Play and Download are links.
// Clip status comes from the page's event stream (events.js), with polling while it is down.

import * as events from "./events.js";
import { fetchJson } from "./http.js";
import { clipDuration, humanSize } from "./format.js";

const LABELS = { queued: "Queued", recording: "Recording", ready: "Ready", failed: "Failed", deleted: "Deleted" };
const BADGES = {
  queued: "badge-muted", recording: "badge-unknown", ready: "badge-online", failed: "badge-offline",
  deleted: "badge-muted",
};
const FINAL = new Set(["ready", "failed", "deleted"]);
const POLL_MS = 5000;

const fill = (pattern, id) => pattern.replace("{clip}", id);

// --- clip status: the event stream, with polling while it is down ------------------------------

const listeners = [];
const watched = new Map(); // clip id -> clip API URL, for clips not yet ready or failed
let following = false;

const dispatch = (event) => listeners.forEach((fn) => fn(event));

const check = async (id) => {
  try {
    const clip = await fetchJson(watched.get(id));
    if (FINAL.has(clip.status)) watched.delete(id);
    dispatch({ clip: clip.id, status: clip.status, reason: clip.reason, size: clip.size });
  } catch {
    // the next poll tries again
  }
};

const resync = () => [...watched.keys()].forEach(check);

const follow = () => {
  if (following) return;
  following = true;
  events.onOpen(resync);
  events.subscribe((data) => {
    if (data.type !== "clip.status") return;
    if (FINAL.has(data.status)) watched.delete(data.clip);
    dispatch(data);
  });
};

const onClipStatus = (fn) => {
  listeners.push(fn);
  follow();
};

const watch = (id, url) => watched.set(id, url);

setInterval(() => {
  if (!events.isOpen()) resync();
}, POLL_MS);

// --- the "Record clip" control ---------------------------------------------------------------------

const link = (text, href, attrs = {}) => {
  const a = document.createElement("a");
  a.textContent = text;
  a.href = href;
  Object.entries(attrs).forEach(([key, value]) => a.setAttribute(key, value));
  return a;
};

const setUpRecordForm = (form) => {
  const config = JSON.parse(form.getAttribute("data-config"));
  const feedback = form.querySelector("[data-clip-feedback]");
  const button = form.querySelector("button[type=submit]");
  let current = null;

  const say = (text, isError = false) => {
    feedback.textContent = text;
    feedback.classList.toggle("is-error", isError);
  };

  const show = (event) => {
    const length = clipDuration(current.duration);
    if (event.status === "queued") say(`Clip of ${length} queued…`);
    else if (event.status === "recording") say(`Recording ${length}…`);
    else if (event.status === "failed") say(`The clip failed: ${event.reason || "unknown reason"}`, true);
    else if (event.status === "deleted") say("The clip was deleted.");
    else if (event.status === "ready") {
      say("Clip ready:");
      const url = fill(config.downloadUrl, current.id);
      feedback.append(
        link("Play", `${url}?inline=1`, { target: "_blank", rel: "noopener", "data-clip-ready-play": "" }),
        link("Download", url, { "data-clip-ready-download": "" }),
        link("All clips", config.clipsPage),
      );
    }
    if (FINAL.has(event.status)) button.disabled = false;
  };

  onClipStatus((event) => {
    if (current && event.clip === current.id) show(event);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    say("Requesting…");
    const body = { camera: form.elements.camera.value, duration: parseInt(form.elements.duration.value, 10) };
    try {
      const clip = await fetchJson(config.apiUrl, { method: "POST", body });
      current = clip;
      watch(clip.id, fill(config.clipApiUrl, clip.id));
      show({ clip: clip.id, status: clip.status, reason: clip.reason });
    } catch (error) {
      say(error.message, true);
      button.disabled = false;
    }
  });
};

// --- the clip list -----------------------------------------------------------------------------------

const togglePlayer = (row, anchor) => {
  const next = row.nextElementSibling;
  if (next && next.classList.contains("clip-player-row")) {
    next.remove();
    anchor.setAttribute("aria-expanded", "false");
    return;
  }
  const playerRow = document.createElement("tr");
  playerRow.className = "clip-player-row";
  const cell = document.createElement("td");
  cell.colSpan = row.children.length;
  const video = document.createElement("video");
  video.controls = true;
  video.autoplay = true;
  video.preload = "metadata";
  video.src = anchor.href;
  cell.appendChild(video);
  playerRow.appendChild(cell);
  row.after(playerRow);
  anchor.setAttribute("aria-expanded", "true");
};

const updateRow = (row, event) => {
  row.setAttribute("data-status", event.status);
  const badge = row.querySelector("[data-clip-status]");
  badge.textContent = LABELS[event.status] || event.status;
  badge.className = `badge ${BADGES[event.status] || "badge-muted"}`;
  row.querySelector("[data-clip-reason]").textContent = event.status === "failed" ? event.reason || "" : "";
  if (event.size !== undefined) row.querySelector("[data-clip-size]").textContent = humanSize(event.size);
  const ready = row.querySelector("[data-when-ready]");
  if (ready) ready.hidden = event.status !== "ready";
};

const setUpList = (table) => {
  const config = JSON.parse(table.getAttribute("data-config"));
  const rows = new Map();
  table.querySelectorAll("tr[data-clip]").forEach((row) => {
    const id = row.getAttribute("data-clip");
    rows.set(id, row);
    if (!FINAL.has(row.getAttribute("data-status"))) watch(id, fill(config.clipApiUrl, id));
  });
  table.addEventListener("click", (event) => {
    const anchor = event.target.closest("[data-clip-play]");
    if (!anchor) return;
    event.preventDefault();
    togglePlayer(anchor.closest("tr"), anchor);
  });
  onClipStatus(async (event) => {
    const row = rows.get(event.clip);
    if (!row) {
      const notice = document.querySelector("[data-clips-new]");
      if (notice && event.status === "queued") notice.hidden = false;
      return;
    }
    updateRow(row, event);
    if (event.status === "ready" && event.size === undefined) {
      try {
        const clip = await fetchJson(fill(config.clipApiUrl, event.clip));
        updateRow(row, { status: clip.status, reason: clip.reason, size: clip.size });
      } catch {
        // the size shows after a reload
      }
    }
  });
};

document.querySelectorAll("form[data-clip-record]").forEach(setUpRecordForm);
document.querySelectorAll("[data-clip-list]").forEach(setUpList);
