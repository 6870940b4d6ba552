// The timeline page: a player above the last 24 hours of one camera's footage.
//
// The bar shows covered time, gaps and motion events (from the timeline API). Clicking a moment
// plays the footage from there (playback/player.js: playback sessions, hls.js, wall-clock seeking).
// Hovering it (or scrubbing with a finger) shows the preview picture of the minute under the pointer
// (playback/previews.js: only minutes that have one, fetched lazily, one at a time).

import { readJson } from "./config.js";
import { formatTime } from "./format.js";
import { fetchJson, firstError } from "./http.js";
import { clickEchoesTap, drawTicks as drawBarTicks, movedView, place } from "./playback/bar.js";
import { mountExportPanel } from "./playback/export-panel.js";
import { RecordedPlayer } from "./playback/player.js";
import { PreviewLoader, previewAt, previewIndex } from "./playback/previews.js";
import { DAY_MS, spanOf, timeAtPixel, zoomView } from "./playback/timescale.js";
import { changeSpeed, nextEvent, previousEvent } from "./playback/wallclock.js";

const config = readJson("playback-config");
const root = document.querySelector("[data-playback]");
const video = root.querySelector("[data-video]");
const bar = root.querySelector("[data-timeline]");
const track = root.querySelector("[data-track]");
const playhead = root.querySelector("[data-playhead]");
const hover = root.querySelector("[data-hover]");
const preview = root.querySelector("[data-preview]");
const previewImage = root.querySelector("[data-preview-image]");
const previewTime = root.querySelector("[data-preview-time]");
const ticks = root.querySelector("[data-ticks]");
const clock = root.querySelector("[data-wallclock]");
const message = root.querySelector("[data-message]");
const playButton = root.querySelector("[data-action=play]");
const streamChoice = root.querySelector("[data-stream]");

const state = { view: null, events: [], speed: 1, wall: null, previews: [], previewSpan: 60_000, previewAt: null };

const iso = (ms) => new Date(ms).toISOString();
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();

// An error's sentence: the API's own field message when there is one.
const reason = (err) => (err && err.body ? firstError(err.body, err.message) : (err && err.message) || String(err));

const say = (text) => {
  message.textContent = text || "";
  message.hidden = !text;
};

// --- the bar -----------------------------------------------------------------------------------

const drawTicks = () => drawBarTicks(ticks, state.view, config.timeZone);

const drawTimeline = (body) => {
  track.replaceChildren();
  for (const interval of body.covered) {
    const span = spanOf(state.view, Date.parse(interval.start), Date.parse(interval.end));
    if (!span) continue;
    const covered = document.createElement("div");
    covered.className = "timeline-covered";
    place(covered, span);
    track.append(covered);
  }
  for (const event of state.events) {
    const span = spanOf(state.view, event.start, event.end || state.view.end);
    if (!span) continue;
    const mark = document.createElement("button");
    mark.type = "button";
    mark.className = "timeline-event";
    mark.dataset.event = event.id;
    mark.title = `Motion at ${formatTime(iso(event.start), config.timeZone)}`;
    mark.setAttribute("aria-label", mark.title);
    place(mark, span);
    mark.addEventListener("click", (e) => {
      e.stopPropagation();
      playAt(event.playFrom);
    });
    track.append(mark);
  }
  drawTicks();
  exportPanel?.redraw();
};

// The bar's range: the last 24 hours at first; zoom and pan change it. A view that ends at the
// present follows the clock.
const FOLLOW_MS = 90_000;
const following = () => Date.now() - state.view.end < FOLLOW_MS;

// Show `view` on the bar. Refreshing the current view while it ends at the present moves it on.
const loadTimeline = async (view) => {
  const now = Date.now();
  const refresh = view === state.view && following();
  state.view = refresh ? { start: now - (view.end - view.start), end: now } : view;
  const asked = state.view;
  const body = await fetchJson(`${config.timelineUrl}?${query({
    start: iso(asked.start), end: iso(asked.end), stream: streamChoice.value,
  })}`);
  if (asked !== state.view) return body; // a newer view was asked for meanwhile
  root.dataset.viewStart = String(asked.start);
  root.dataset.viewEnd = String(asked.end);
  state.events = body.events.map((e) => ({
    id: e.id, start: Date.parse(e.started_at), end: e.ended_at ? Date.parse(e.ended_at) : null,
    playFrom: Date.parse(e.play_from),
  })).sort((a, b) => a.playFrom - b.playFrom);
  state.previews = previewIndex(body.thumbnails);
  state.previewSpan = (body.thumbnail_seconds || 60) * 1000;
  root.dataset.previews = String(state.previews.length);
  drawTimeline(body);
  root.dataset.covered = String(body.covered.length);
  return body;
};

// --- the player ----------------------------------------------------------------------------------

const player = new RecordedPlayer(video, {
  playbackUrl: config.playbackUrl,
  stream: () => streamChoice.value,
  onMessage: say,
  onTarget: (ms) => { root.dataset.target = String(ms); },
  onSession: () => { root.dataset.sessions = String(Number(root.dataset.sessions || 0) + 1); },
});

const playAt = (ms) => { player.playAt(ms).catch((err) => say(reason(err))); };

// Export a range: the moment on screen marks its ends; the stream is the one playing.
const exportPanel = config.export && mountExportPanel({
  panel: root.querySelector("[data-range-export]"),
  bar,
  target: config.export,
  timeZone: config.timeZone,
  moment: () => state.wall,
  stream: () => player.session?.stream || streamChoice.value,
  view: () => state.view,
});

const step = (seconds) => player.step(seconds);

const jumpToEvent = (direction) => {
  const from = state.wall ?? Date.now();
  const event = direction > 0 ? nextEvent(state.events, from) : previousEvent(state.events, from);
  if (event) playAt(event.playFrom);
  else say(direction > 0 ? "No later motion event on the timeline." : "No earlier motion event on the timeline.");
};

const setSpeed = (speed) => {
  state.speed = speed;
  player.setSpeed(speed);
  for (const button of root.querySelectorAll("[data-speed]")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === speed));
  }
};

const togglePlay = () => {
  if (!player.attached) {
    if (state.view) playAt(state.events.length ? state.events[state.events.length - 1].playFrom : state.view.end - 60_000);
    return;
  }
  if (video.paused) video.play().catch(() => {});
  else video.pause();
};

// --- what the page shows while playing ---------------------------------------------------------------

const showClock = () => {
  const wall = player.wallClock();
  if (wall !== null) {
    state.wall = wall;
    root.dataset.wallclock = String(Math.round(wall));
    const text = formatTime(iso(wall), config.timeZone);
    if (clock.textContent !== text) clock.textContent = text;
    const span = spanOf(state.view, wall, state.view.end);
    playhead.hidden = !span;
    if (span) playhead.style.left = `${span.left * 100}%`;
  }
  playButton.textContent = video.paused ? "Play" : "Pause";
  playButton.setAttribute("aria-pressed", String(!video.paused));
  requestAnimationFrame(showClock);
};

// --- the preview picture over the bar ---------------------------------------------------------------

const loadPicture = (url) => {
  const picture = new Image();
  picture.src = url;
  return picture.decode();
};

const previews = new PreviewLoader(loadPicture, (url) => {
  previewImage.src = url;
  preview.hidden = false;
});

// Show the picture of `item` ({at, url}; null: none) above the bar at `x`, kept inside the bar.
const showPreview = (item, x = 0, width = 0) => {
  if (!item) {
    state.previewAt = null;
    preview.hidden = true;
    previews.want(null);
    return;
  }
  const half = (preview.offsetWidth || 160) / 2;
  preview.style.left = `${Math.min(Math.max(x, half), Math.max(width - half, half))}px`;
  if (state.previewAt !== item.at) {
    state.previewAt = item.at;
    previewTime.textContent = formatTime(iso(item.at), config.timeZone).slice(11, 16);
    preview.dataset.at = String(item.at);
    if (previewImage.getAttribute("src") !== item.url) preview.hidden = true; // until its picture is there
    previews.want(item.url);
  }
};

// --- input ---------------------------------------------------------------------------------------

// Mouse: a click plays. Touch and pen: the finger scrubs along the bar (the hover label follows it)
// and lifting it plays there; a tap is the same as a click.
let touchedAt = null;
bar.addEventListener("click", (e) => {
  if (clickEchoesTap(performance.now(), touchedAt)) return;
  playAt(timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX));
});
bar.addEventListener("pointerdown", (e) => {
  if (e.pointerType !== "mouse") bar.setPointerCapture(e.pointerId);
});
bar.addEventListener("pointerup", (e) => {
  if (e.pointerType === "mouse") return;
  touchedAt = performance.now();
  hover.hidden = true;
  showPreview(null);
  playAt(timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX));
});
bar.addEventListener("pointermove", (e) => {
  const box = bar.getBoundingClientRect();
  const time = timeAtPixel(state.view, box, e.clientX);
  const x = Math.min(Math.max(e.clientX - box.left, 0), box.width);
  hover.hidden = false;
  hover.textContent = formatTime(iso(time), config.timeZone).slice(11, 19);
  hover.style.left = `${x}px`;
  showPreview(previewAt(state.previews, time, state.previewSpan), x, box.width);
});
bar.addEventListener("pointerleave", () => {
  hover.hidden = true;
  showPreview(null);
});

const actions = {
  play: togglePlay,
  back: () => step(-10),
  forward: () => step(10),
  "previous-event": () => jumpToEvent(-1),
  "next-event": () => jumpToEvent(1),
};
for (const button of root.querySelectorAll("[data-action]")) {
  button.addEventListener("click", () => actions[button.dataset.action]());
}
for (const button of root.querySelectorAll("[data-speed]")) {
  button.addEventListener("click", () => setSpeed(Number(button.dataset.speed)));
}
const setView = (view) => { loadTimeline(view).catch((err) => say(reason(err))); };
const anchor = () => (state.wall !== null && spanOf(state.view, state.wall, state.wall + 1) ? state.wall
  : (state.view.start + state.view.end) / 2);
for (const button of root.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => setView(movedView(state.view, button.dataset.view, anchor(), Date.now())));
}
bar.addEventListener("wheel", (e) => {
  e.preventDefault();
  const at = timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX);
  setView(zoomView(state.view, e.deltaY < 0 ? -1 : 1, at, Date.now()));
}, { passive: false });

streamChoice.addEventListener("change", async () => {
  const moment = state.wall;
  player.stop();
  await loadTimeline(state.view).catch((err) => say(reason(err)));
  if (moment !== null) playAt(moment);
});

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
document.addEventListener("keydown", (e) => {
  if (TYPING.has(e.target.tagName) || e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === " " && e.target.tagName === "BUTTON") return; // the button's own click
  const handlers = {
    " ": togglePlay,
    k: togglePlay,
    ArrowLeft: () => (e.shiftKey ? jumpToEvent(-1) : step(-10)),
    ArrowRight: () => (e.shiftKey ? jumpToEvent(1) : step(10)),
    i: () => exportPanel?.mark("start"),
    o: () => exportPanel?.mark("end"),
    l: () => {
      if (video.paused) video.play().catch(() => {});
      else setSpeed(changeSpeed(state.speed, 1));
    },
    j: () => {
      if (state.speed > 1) setSpeed(changeSpeed(state.speed, -1));
      else step(-10);
    },
  };
  const handler = handlers[key];
  if (!handler) return;
  e.preventDefault();
  handler();
});

// --- start ---------------------------------------------------------------------------------------

// The bar follows the clock: newer footage and events appear, the oldest hour slides off.
const REFRESH_MS = 60_000;
setInterval(() => { loadTimeline(state.view).catch(() => {}); }, REFRESH_MS);

setSpeed(1);
requestAnimationFrame(showClock);
const firstView = () => {
  const now = Date.now();
  const at = config.at ? Date.parse(config.at) : NaN;
  if (Number.isNaN(at) || at > now - DAY_MS + 60_000) return { start: now - DAY_MS, end: now };
  const end = Math.min(at + DAY_MS / 2, now);
  return { start: end - DAY_MS, end };
};

loadTimeline(firstView())
  .then((body) => {
    root.dataset.ready = "true";
    if (config.at) playAt(Date.parse(config.at));
    else if (!body.covered.length) say("Nothing of this camera was recorded in this time.");
  })
  .catch((err) => say(reason(err)));
