// The timeline page: a player above the last 24 hours of one camera's footage.
//
// The bar shows covered time, gaps and motion events (from the timeline API). Clicking a moment
// opens a playback session over the whole 24 hours (the API answers a signed HLS playlist URL),
// hls.js plays it, and the page seeks to the clicked moment by mapping wall-clock time to playlist
// time through the playlist's EXT-X-PROGRAM-DATE-TIME tags (playback/wallclock.js). A session
// lasts minutes: when it runs out the page opens another and carries on from the same moment.

import Hls from "../vendor/hls.js/hls.light.min.mjs";
import { readJson } from "./config.js";
import { canDecode, cannotDecodeText } from "./playback/codecs.js";
import { formatTime } from "./format.js";
import { fetchJson, firstError } from "./http.js";
import {
  DAY_MS, panView, spanOf, tickStep, ticks as tickTimes, timeAtPixel, zoomView,
} from "./playback/timescale.js";
import {
  changeSpeed, nextEvent, positionAt, previousEvent, sessionRange, stepFrom, wallClockAt,
} from "./playback/wallclock.js";

const config = readJson("playback-config");
const root = document.querySelector("[data-playback]");
const video = root.querySelector("[data-video]");
const bar = root.querySelector("[data-timeline]");
const track = root.querySelector("[data-track]");
const playhead = root.querySelector("[data-playhead]");
const hover = root.querySelector("[data-hover]");
const ticks = root.querySelector("[data-ticks]");
const clock = root.querySelector("[data-wallclock]");
const message = root.querySelector("[data-message]");
const playButton = root.querySelector("[data-action=play]");
const streamChoice = root.querySelector("[data-stream]");

const RENEW_BEFORE_MS = 20_000; // open a new session when the current one has less left than this
const state = {
  view: null, events: [], session: null, hls: null, native: false, fragments: [], speed: 1, lastFailure: 0,
  wall: null,
};

const iso = (ms) => new Date(ms).toISOString();
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();

// An error's sentence: the API's own field message when there is one.
const reason = (err) => (err && err.body ? firstError(err.body, err.message) : (err && err.message) || String(err));

const say = (text) => {
  message.textContent = text || "";
  message.hidden = !text;
};

// --- the bar -----------------------------------------------------------------------------------

const place = (element, span) => {
  element.style.left = `${span.left * 100}%`;
  element.style.width = `${span.width * 100}%`;
};

const drawTicks = () => {
  ticks.replaceChildren();
  // "HH:MM" within a day; with the date once the bar spans days.
  const [from, to] = tickStep(state.view) >= DAY_MS || state.view.end - state.view.start > DAY_MS ? [5, 16] : [11, 16];
  for (const t of tickTimes(state.view)) {
    const label = document.createElement("span");
    label.className = "timeline-tick";
    label.textContent = formatTime(iso(t), config.timeZone).slice(from, to);
    label.style.left = `${spanOf(state.view, t, state.view.end).left * 100}%`;
    ticks.append(label);
  }
};

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
  drawTimeline(body);
  root.dataset.covered = String(body.covered.length);
  return body;
};

// --- the player ----------------------------------------------------------------------------------

const currentFragments = () => {
  if (state.native) return nativeFragments();
  const level = state.hls && state.hls.levels[Math.max(state.hls.currentLevel, 0)];
  return (level && level.details && level.details.fragments) || state.fragments;
};

const isTypeSupported = window.MediaSource ? (type) => MediaSource.isTypeSupported(type) : null;

const stopPlayer = () => {
  if (state.hls) state.hls.destroy();
  if (state.native) video.removeAttribute("src");
  state.hls = null;
  state.native = false;
  state.fragments = [];
};

const recover = () => {
  // A fatal network error is most often the session running out (its URLs answer 404 then):
  // open a new one from the moment on screen, but not in a loop.
  const now = Date.now();
  const moment = state.wall;
  stopPlayer();
  state.session = null;
  if (now - state.lastFailure < 10_000 || moment === null) {
    say("Playback stopped: the footage could not be loaded. Click the timeline to try again.");
    return;
  }
  state.lastFailure = now;
  playAt(moment);
};

// Safari plays HLS itself: no fragment list then, so the wall clock comes from the playlist's first
// EXT-X-PROGRAM-DATE-TIME (video.getStartDate) and gaps are not skipped in the mapping.
const nativeFragments = () => {
  const started = video.getStartDate ? video.getStartDate().getTime() : NaN;
  if (Number.isNaN(started)) return [];
  return [{ start: 0, duration: Number.isFinite(video.duration) ? video.duration : 0, pdt: started }];
};

const attachNative = (session) => new Promise((resolve, reject) => {
  state.native = true;
  video.addEventListener("loadedmetadata", () => resolve(), { once: true });
  video.addEventListener("error", () => reject(new Error("The recording could not be loaded.")), { once: true });
  video.src = session.playlist_url;
});

// A new hls.js player on the session's playlist; resolves once the playlist is read.
const attach = (session) => new Promise((resolve, reject) => {
  stopPlayer();
  if (!Hls.isSupported() && video.canPlayType("application/vnd.apple.mpegurl")) {
    attachNative(session).then(resolve, reject);
    return;
  }
  const hls = new Hls({
    autoStartLoad: false, enableWorker: true,
    workerPath: new URL("../vendor/hls.js/hls.worker.js", import.meta.url).href,
    maxBufferLength: 20, backBufferLength: 30,
  });
  state.hls = hls;
  hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
    state.fragments = data.details.fragments;
    resolve();
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    if (state.fragments.length) recover();
    else reject(new Error("The recording could not be loaded."));
  });
  hls.loadSource(session.playlist_url);
  hls.attachMedia(video);
});

// Whether the current session can play moment `ms`: not running out, and `ms` not newer than its range
// (footage recorded since it was opened is only in a new one).
const sessionServes = (session, ms) => session && (state.hls || state.native) &&
  Date.parse(session.expires_at) - Date.now() > RENEW_BEFORE_MS &&
  ms >= Date.parse(session.start) && ms < Date.parse(session.end);

// The session to play `ms` from, opened (and the player attached) when there is none, it runs out or
// it ends before `ms`. Resolves true when a new player was attached.
const ensureSession = async (ms) => {
  if (sessionServes(state.session, ms)) return false;
  const range = sessionRange(ms, Date.now()); // the API plays at most 24 hours
  state.session = await fetchJson(config.playbackUrl, {
    method: "POST",
    body: { start: iso(range.start), end: iso(range.end), ...(streamChoice.value ? { stream: streamChoice.value } : {}) },
  });
  root.dataset.sessions = String(Number(root.dataset.sessions || 0) + 1);
  if (!canDecode(state.session.codecs, isTypeSupported)) {
    stopPlayer();
    throw new Error(cannotDecodeText(state.session.codecs));
  }
  await attach(state.session);
  return true;
};

const playAt = async (ms) => {
  say("");
  try {
    const fresh = await ensureSession(ms);
    const position = positionAt(currentFragments(), ms);
    if (position === null) {
      say("Nothing is recorded after that moment yet. Use Live to watch the camera now.");
      return;
    }
    root.dataset.target = String(ms);
    if (fresh && state.hls) state.hls.startLoad(position);
    else video.currentTime = position;
    video.playbackRate = state.speed;
    await video.play().catch(() => {});
  } catch (err) {
    say(reason(err));
  }
};

const step = (seconds) => {
  if (state.wall === null) return;
  const position = stepFrom(currentFragments(), state.wall, seconds);
  if (position !== null) video.currentTime = position;
};

const jumpToEvent = (direction) => {
  const from = state.wall ?? Date.now();
  const event = direction > 0 ? nextEvent(state.events, from) : previousEvent(state.events, from);
  if (event) playAt(event.playFrom);
  else say(direction > 0 ? "No later motion event on the timeline." : "No earlier motion event on the timeline.");
};

const setSpeed = (speed) => {
  state.speed = speed;
  video.playbackRate = speed;
  for (const button of root.querySelectorAll("[data-speed]")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === speed));
  }
};

const togglePlay = () => {
  if (!state.hls && !state.native) {
    if (state.view) playAt(state.events.length ? state.events[state.events.length - 1].playFrom : state.view.end - 60_000);
    return;
  }
  if (video.paused) video.play().catch(() => {});
  else video.pause();
};

// --- what the page shows while playing ---------------------------------------------------------------

const showClock = () => {
  const fragments = currentFragments();
  if (fragments.length && video.readyState >= 2) {
    const wall = wallClockAt(fragments, video.currentTime);
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

// --- input ---------------------------------------------------------------------------------------

// Mouse: a click plays. Touch and pen: the finger scrubs along the bar (the hover label follows it)
// and lifting it plays there; a tap is the same as a click.
let touchedAt = 0;
bar.addEventListener("click", (e) => {
  if (performance.now() - touchedAt < 800) return; // the click a tap also makes
  playAt(timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX));
});
bar.addEventListener("pointerdown", (e) => {
  if (e.pointerType !== "mouse") bar.setPointerCapture(e.pointerId);
});
bar.addEventListener("pointerup", (e) => {
  if (e.pointerType === "mouse") return;
  touchedAt = performance.now();
  hover.hidden = true;
  playAt(timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX));
});
bar.addEventListener("pointermove", (e) => {
  const box = bar.getBoundingClientRect();
  hover.hidden = false;
  hover.textContent = formatTime(iso(timeAtPixel(state.view, box, e.clientX)), config.timeZone).slice(11, 19);
  hover.style.left = `${Math.min(Math.max(e.clientX - box.left, 0), box.width)}px`;
});
bar.addEventListener("pointerleave", () => { hover.hidden = true; });

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
const viewActions = {
  in: () => setView(zoomView(state.view, -1, anchor(), Date.now(), { center: true })),
  out: () => setView(zoomView(state.view, 1, anchor(), Date.now(), { center: true })),
  earlier: () => setView(panView(state.view, -0.5, Date.now())),
  later: () => setView(panView(state.view, 0.5, Date.now())),
};
for (const button of root.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => viewActions[button.dataset.view]());
}
bar.addEventListener("wheel", (e) => {
  e.preventDefault();
  const at = timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX);
  setView(zoomView(state.view, e.deltaY < 0 ? -1 : 1, at, Date.now()));
}, { passive: false });

streamChoice.addEventListener("change", async () => {
  const moment = state.wall;
  stopPlayer();
  state.session = null;
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
