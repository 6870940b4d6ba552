// The live pages around the players: the large view of one camera, the fullscreen buttons, and
// camera status pushed from the page's event stream (events.js). Forms with data-confirm are
// confirmed by portal.js, as on every page.

import { readJson } from "./config.js";
import * as events from "./events.js";

const STATUS_LABELS = { online: "Camera online", offline: "Camera offline", unknown: "Camera status unknown" };

// --- large view -------------------------------------------------------------------------------------

const setUpOverlay = () => {
  const overlay = document.querySelector(".live-overlay");
  const grid = document.querySelector(".live-grid");
  if (!overlay || !grid) return;
  const body = overlay.querySelector(".live-overlay-body");
  const title = overlay.querySelector(".live-overlay-title");
  const pageLink = overlay.querySelector("[data-overlay-page]");
  const pageUrl = readJson("live-config").cameraPageUrl || "";
  let opener = null;

  const open = (tilePlayer) => {
    const camera = tilePlayer.getAttribute("camera");
    const label = tilePlayer.getAttribute("label") || "";
    // Its own player on the main stream; the tile keeps its sub stream, so closing the large view
    // shows the grid without a reconnect.
    const player = document.createElement("cctv-player");
    player.setAttribute("camera", camera);
    player.setAttribute("variant", "main");
    player.setAttribute("label", label);
    if (tilePlayer.hasAttribute("force-mse")) player.setAttribute("force-mse", "");
    body.replaceChildren(player);
    title.textContent = label;
    if (pageLink) pageLink.href = pageUrl.replace("{camera}", encodeURIComponent(camera));
    opener = tilePlayer;
    overlay.hidden = false;
    document.body.classList.add("live-overlay-open");
    overlay.querySelector("[data-overlay-close]").focus();
  };

  const close = () => {
    if (overlay.hidden) return;
    if (document.fullscreenElement && overlay.contains(document.fullscreenElement)) {
      document.exitFullscreen().catch(() => {});
    }
    body.replaceChildren();  // the player's disconnectedCallback closes its session
    overlay.hidden = true;
    document.body.classList.remove("live-overlay-open");
    if (opener) opener.focus();
    opener = null;
  };

  grid.addEventListener("click", (event) => {
    const player = event.target.closest("cctv-player");
    if (player) open(player);
  });
  grid.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const player = event.target.closest("cctv-player");
    if (!player) return;
    event.preventDefault();
    open(player);
  });
  overlay.querySelector("[data-overlay-close]").addEventListener("click", close);
  overlay.addEventListener("click", (event) => {
    if (event.target === overlay) close();  // a click on the backdrop
  });
  document.addEventListener("keydown", (event) => {
    // In fullscreen, Esc leaves fullscreen first (the browser's own rule).
    if (event.key === "Escape" && !document.fullscreenElement) close();
  });
};

// --- fullscreen ---------------------------------------------------------------------------------------

const setUpFullscreen = () => {
  const buttons = document.querySelectorAll("[data-fullscreen]");
  if (!buttons.length) return;
  if (!document.fullscreenEnabled) {
    buttons.forEach((button) => { button.hidden = true; });
    return;
  }
  buttons.forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.getAttribute("data-fullscreen"));
      if (!target) return;
      if (document.fullscreenElement === target) document.exitFullscreen().catch(() => {});
      else target.requestFullscreen().catch((err) => console.warn("fullscreen refused", err));
    });
  });
  document.addEventListener("fullscreenchange", () => {
    buttons.forEach((button) => {
      const on = document.fullscreenElement && document.fullscreenElement.id === button.getAttribute("data-fullscreen");
      button.textContent = on ? "Exit fullscreen" : "Fullscreen";
    });
  });
};

// --- camera status from the event stream --------------------------------------------------------------

// A camera's status lands on every element that follows it: the dot of the one-camera page and the
// camera page (with its tooltip), and the grid's tiles, whose one mark is their player's badge.
const showStatus = (camera, status) => {
  document.querySelectorAll("[data-camera-status]").forEach((el) => {
    if (el.getAttribute("data-camera-status") !== camera) return;
    el.classList.remove(...Object.keys(STATUS_LABELS).map((name) => `status-${name}`));
    el.classList.add(`status-${status}`);
    if (!el.classList.contains("live-status")) return;
    el.title = STATUS_LABELS[status] || status;
    const text = el.querySelector(".visually-hidden");
    if (text) text.textContent = el.title;
  });
  if (status !== "online") return;
  // A camera just came back: players waiting out their backoff try now.
  document.querySelectorAll("cctv-player").forEach((player) => {
    if (player.getAttribute("camera") === camera && player.retryNow) player.retryNow();
  });
};

const followEvents = () => {
  if (!document.querySelector("[data-camera-status]")) return;
  events.subscribe((message) => {
    if (message.type === "camera.status" && message.camera) showStatus(message.camera, message.status);
  });
};

setUpOverlay();
setUpFullscreen();
followEvents();
