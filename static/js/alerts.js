// Live motion alerts on every signed-in page: toasts, the "Alerts" badge, and live rows on the
// alert list. Messages come from the page's one event stream (events.js). Event data is only ever
// set as text.

import * as events from "./events.js";
import { request } from "./http.js";
import { eventDuration, formatTime, localPath } from "./format.js";
import { reveal, drawBoxes } from "./snapshots.js";

const TOAST_MS = 8000;
const MAX_TOASTS = 4;
const RESYNC_AFTER_MS = 800;

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

// --- the badge ---------------------------------------------------------------------------------

const counted = new Set(); // ids of events known to be in the badge count
let resyncTimer = null;

const badge = () => document.querySelector("[data-alert-badge]");

const setCount = (count) => {
  const node = badge();
  if (!node) return;
  const value = Math.max(0, count);
  node.setAttribute("data-count", String(value));
  node.querySelector("[data-alert-badge-number]").textContent = value > 99 ? "99+" : String(value);
  node.hidden = value === 0;
};

const currentCount = () => {
  const node = badge();
  return node ? parseInt(node.getAttribute("data-count"), 10) || 0 : 0;
};

// Ask the server for the count (after a reconnect, or for an event this page never counted).
const resyncBadge = () => {
  clearTimeout(resyncTimer);
  resyncTimer = setTimeout(async () => {
    const link = document.querySelector("[data-alerts-link]");
    if (!link) return;
    try {
      const reply = await request("GET", link.getAttribute("data-badge-url"));
      if (reply.ok && typeof reply.body.count === "number") setCount(reply.body.count);
    } catch {
      // the next event or reconnect tries again
    }
  }, RESYNC_AFTER_MS);
};

// --- snapshots ----------------------------------------------------------------------------------

// A snapshot in its light frame (no dark flash while it loads), the moving areas outlined.
const snapshotFrame = (src, boxes, className) => {
  const frame = el("span", `snapshot ${className}`);
  frame.setAttribute("data-boxes", JSON.stringify(Array.isArray(boxes) ? boxes : []));
  const img = el("img");
  img.alt = "";
  img.decoding = "async";
  img.src = src;
  frame.appendChild(img);
  reveal(frame);
  drawBoxes(frame);
  return frame;
};

// --- toasts --------------------------------------------------------------------------------------

const dismiss = (toast) => {
  clearTimeout(toast.timer);
  toast.remove();
};

const schedule = (toast) => {
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => dismiss(toast), TOAST_MS);
};

const showToast = (alert) => {
  const region = document.querySelector("[data-alert-toasts]");
  if (!region) return;
  const toast = el("div", "toast");
  toast.setAttribute("role", "group");
  toast.setAttribute("aria-label", "Motion alert");
  const snapshot = localPath(alert.snapshot_url);
  if (snapshot) toast.appendChild(snapshotFrame(snapshot, alert.boxes, "toast-thumb"));
  const body = el("div", "toast-body");
  body.appendChild(el("p", "toast-title", `Motion: ${alert.camera_name || "camera"}`));
  const started = formatTime(alert.started_at, alert.site_timezone);
  body.appendChild(el("p", "toast-meta", [alert.site_name, started].filter(Boolean).join(" · ")));
  const links = el("p", "toast-links");
  for (const [href, text] of [[localPath(alert.camera_url), "Open camera"], [localPath(alert.play_url), "Play recording"], [localPath(alert.url), "View alert"]]) {
    if (!href) continue;
    const link = el("a", "", text);
    link.href = href;
    links.appendChild(link);
  }
  if (links.childElementCount) body.appendChild(links);
  toast.appendChild(body);
  const close = el("button", "toast-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Dismiss alert");
  close.addEventListener("click", () => dismiss(toast));
  toast.appendChild(close);
  // Keep it while the pointer or keyboard focus is on it.
  toast.addEventListener("mouseenter", () => clearTimeout(toast.timer));
  toast.addEventListener("mouseleave", () => schedule(toast));
  toast.addEventListener("focusin", () => clearTimeout(toast.timer));
  toast.addEventListener("focusout", () => schedule(toast));
  region.appendChild(toast);
  while (region.children.length > MAX_TOASTS) dismiss(region.firstElementChild);
  schedule(toast);
};

// --- the alert list page ---------------------------------------------------------------------------

class AlertList {
  constructor(table) {
    this.table = table;
    this.config = JSON.parse(table.getAttribute("data-config"));
    this.template = document.querySelector("template[data-alert-row-template]");
  }

  row(id) {
    return this.table.querySelector(`tr[data-event="${CSS.escape(id)}"]`);
  }

  add(alert) {
    if (!this.config.live) {
      const notice = document.querySelector("[data-alerts-new]");
      if (notice) notice.hidden = false;
      return;
    }
    if (!this.template || this.row(alert.event)) return;
    const row = this.template.content.firstElementChild.cloneNode(true);
    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    row.setAttribute("data-event", alert.event);
    row.setAttribute("data-started", alert.started_at);
    row.setAttribute("data-counted", "");
    row.id = `event-${alert.event}`;
    const snapshot = localPath(alert.snapshot_url);
    if (snapshot) {
      const frame = slot("snapshot-link");
      frame.href = snapshot;
      frame.setAttribute("data-boxes", JSON.stringify(Array.isArray(alert.boxes) ? alert.boxes : []));
      slot("snapshot").src = snapshot;
      slot("snapshot").alt = `Snapshot of motion on ${alert.camera_name || "camera"}`;
      reveal(frame);
      drawBoxes(frame);
    } else {
      slot("snapshot-link").remove();
      slot("no-snapshot").hidden = false;
    }
    const cameraUrl = localPath(alert.camera_url);
    if (cameraUrl) {
      const link = el("a", "", alert.camera_name || "camera");
      link.href = cameraUrl;
      slot("camera").appendChild(link);
    } else {
      slot("camera").textContent = alert.camera_name || "";
    }
    const play = localPath(alert.play_url);
    if (play) {
      const link = el("a", "btn btn-small btn-secondary", "Play");
      link.href = play;
      link.title = "Play the recording from the event's pre-roll";
      slot("camera").append(" ", link);
    }
    slot("site").textContent = alert.site_name || "";
    slot("started").textContent = formatTime(alert.started_at, alert.site_timezone);
    slot("started").setAttribute("datetime", alert.started_at || "");
    slot("peak").textContent = `${(Number(alert.peak_score || 0) * 100).toFixed(1)} %`;
    const bulk = document.getElementById("bulk-ack");
    if (bulk && this.config.ackCameras.includes(alert.camera)) slot("select").value = alert.event;
    else slot("select").remove();
    if (this.config.ackCameras.includes(alert.camera)) {
      const form = slot("ack-form");
      form.action = this.config.ackUrl.replace("{event}", encodeURIComponent(alert.event));
      const note = slot("note");
      note.id = `note-${alert.event}`;
      slot("note-label").setAttribute("for", note.id);
      slot("not-acknowledged").remove();
    } else {
      slot("ack-form").remove();
    }
    row.classList.add("is-new");
    this.table.tBodies[0].insertBefore(row, this.table.tBodies[0].firstChild);
    const wrap = document.querySelector("[data-alerts-table]");
    if (wrap) wrap.hidden = false;
    const empty = document.querySelector("[data-alerts-empty]");
    if (empty) empty.hidden = true;
  }

  ended(message) {
    const row = this.row(message.event);
    if (!row) return;
    const seconds = (new Date(message.ended_at) - new Date(row.getAttribute("data-started"))) / 1000;
    if (Number.isNaN(seconds)) return;
    row.querySelector("[data-alert-duration]").textContent = eventDuration(seconds);
  }

  acknowledged(message) {
    const row = this.row(message.event);
    if (!row) return;
    const cell = row.querySelector("[data-alert-ack]");
    cell.replaceChildren(
      el("span", "badge badge-online", "Acknowledged"),
      document.createTextNode(" "),
      el("span", "small", `by ${message.by || "someone"}, ${formatTime(message.at, row.getAttribute("data-timezone"))}`),
    );
    row.removeAttribute("data-counted");
  }
}

// --- acknowledging many at once ---------------------------------------------------------------------

// The header box selects every row that can be acknowledged; "Acknowledge selected" is usable only
// with something selected. Without this script the boxes and both buttons still work.
const setUpBulk = (table) => {
  const form = document.getElementById("bulk-ack");
  if (!form) return;
  const all = table.querySelector("[data-bulk-all]");
  const button = form.querySelector("[data-bulk-selected]");
  const boxes = () => [...table.querySelectorAll("input[data-bulk-one]")];
  const sync = () => {
    const chosen = boxes().filter((box) => box.checked).length;
    button.disabled = chosen === 0;
    if (all) {
      all.checked = chosen > 0 && chosen === boxes().length;
      all.indeterminate = chosen > 0 && chosen < boxes().length;
    }
  };
  table.addEventListener("change", (event) => {
    if (event.target === all) boxes().forEach((box) => { box.checked = all.checked; });
    sync();
  });
  sync();
};

// --- wiring -----------------------------------------------------------------------------------------

const onMessage = (list, message) => {
  if (message.type === "motion.alert" && message.event) {
    if (!counted.has(message.event)) {
      counted.add(message.event);
      setCount(currentCount() + 1);
    }
    showToast(message);
    if (list) list.add(message);
    const cameraEvents = document.querySelector(`[data-camera-events="${CSS.escape(String(message.camera || ""))}"]`);
    const notice = cameraEvents && cameraEvents.querySelector("[data-camera-events-new]");
    if (notice) notice.hidden = false;
  } else if (message.type === "motion.ended" && list) {
    list.ended(message);
  } else if (message.type === "motion.acknowledged" && message.event) {
    if (counted.delete(message.event)) setCount(currentCount() - 1);
    else resyncBadge(); // acknowledged an alert this page never counted: ask the server
    if (list) list.acknowledged(message);
  }
};

const start = () => {
  if (!badge() && !document.querySelector("[data-alert-toasts]")) return;
  const table = document.querySelector("[data-alert-list]");
  const list = table ? new AlertList(table) : null;
  if (table) {
    table.querySelectorAll("tr[data-counted]").forEach((row) => counted.add(row.getAttribute("data-event")));
    const current = table.querySelector("tr.is-highlighted");
    if (current) current.scrollIntoView({ block: "center" });
    setUpBulk(table);
  }
  events.onReconnect(resyncBadge);
  events.subscribe((message) => onMessage(list, message));
};

start();
