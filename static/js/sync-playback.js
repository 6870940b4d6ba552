// Recordings together: up to nine cameras (a site's, or a saved view's) playing the same moment.
//
// Each tile is a RecordedPlayer (playback/player.js) with its own playback session. A click on the
// bar, the +/-10 s buttons and the arrow keys send every tile to one moment; play, pause and speed
// apply to all. Every half second the tiles are brought back to the leader's moment
// (playback/sync.js): one that drifted seeks, one with nothing recorded at the moment waits, dark,
// until the leader reaches its footage.

import { readJson } from "./config.js";
import { formatTime } from "./format.js";
import { fetchJson, firstError } from "./http.js";
import { RecordedPlayer } from "./playback/player.js";
import { lane, leaderIndex, syncAction } from "./playback/sync.js";
import { drawTicks, movedView, place } from "./playback/bar.js";
import { mountExportPanel } from "./playback/export-panel.js";
import { DAY_MS, spanOf, timeAtPixel } from "./playback/timescale.js";
import { changeSpeed } from "./playback/wallclock.js";

const config = readJson("sync-config");
const root = document.querySelector("[data-sync]");
const bar = root.querySelector("[data-timeline]");
const track = root.querySelector("[data-track]");
const playhead = root.querySelector("[data-playhead]");
const ticks = root.querySelector("[data-ticks]");
const clock = root.querySelector("[data-wallclock]");
const message = root.querySelector("[data-message]");
const playButton = root.querySelector("[data-action=play]");

const SYNC_EVERY_MS = 500;
const RELOAD_AFTER_MS = 3000; // a tile that could not load is asked again at most this often
const iso = (ms) => new Date(ms).toISOString();
const reason = (err) => (err && err.body ? firstError(err.body, err.message) : (err && err.message) || String(err));
const state = { view: null, speed: 1, playing: false, wall: null };

const say = (text) => {
  message.textContent = text || "";
  message.hidden = !text;
};

const tiles = config.cameras.map((camera) => {
  const element = root.querySelector(`[data-tile="${camera.id}"]`);
  const note = element.querySelector("[data-tile-message]");
  const tile = { camera, element, video: element.querySelector("video"), wall: null, waiting: false, askedAt: 0 };
  tile.player = new RecordedPlayer(tile.video, {
    playbackUrl: camera.playbackUrl,
    onMessage: (text) => { note.textContent = text; note.hidden = !text; },
  });
  return tile;
});

// --- moving every tile together -----------------------------------------------------------------

const load = (tile, ms) => {
  tile.askedAt = performance.now();
  tile.waiting = false;
  return tile.player.playAt(ms).catch((err) => {
    tile.element.querySelector("[data-tile-message]").hidden = false;
    tile.element.querySelector("[data-tile-message]").textContent = reason(err);
  });
};

const playAll = (ms) => {
  root.dataset.target = String(ms);
  state.playing = true;
  for (const tile of tiles) load(tile, ms);
};

const currentMoment = () => {
  const index = leaderIndex(tiles);
  return index >= 0 ? tiles[index].wall : state.wall;
};

const stepAll = (seconds) => {
  const now = currentMoment();
  if (now !== null) playAll(now + seconds * 1000);
};

const setPlaying = (playing) => {
  state.playing = playing;
  for (const tile of tiles) {
    if (!tile.player.attached) continue;
    if (playing && !tile.waiting) tile.video.play().catch(() => {});
    else tile.video.pause();
  }
};

const togglePlay = () => {
  if (!tiles.some((tile) => tile.player.attached)) {
    if (state.view) playAll(state.view.end - 60_000);
    return;
  }
  setPlaying(!state.playing);
};

const setSpeed = (speed) => {
  state.speed = speed;
  for (const tile of tiles) tile.player.setSpeed(speed);
  for (const button of root.querySelectorAll("[data-speed]")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === speed));
  }
};

// Bring every tile to the leader's moment (see playback/sync.js for the rules).
const keepTogether = () => {
  for (const tile of tiles) tile.wall = tile.player.wallClock();
  const index = leaderIndex(tiles);
  if (index < 0 || !state.playing) return;
  const lead = tiles[index].wall;
  for (const tile of tiles) {
    const loading = tile.wall === null && performance.now() - tile.askedAt < RELOAD_AFTER_MS;
    if (tile === tiles[index] || loading) continue;
    const action = syncAction(tile, lead);
    if (action === "load" || action === "seek") load(tile, lead);
    else if (action === "wait" && !tile.waiting) {
      tile.waiting = true;
      tile.video.pause();
    } else if (action === "play") {
      tile.waiting = false;
      tile.video.play().catch(() => {});
    }
    tile.element.dataset.waiting = String(tile.waiting);
  }
};

// --- the bar: one lane per camera ---------------------------------------------------------------

const drawLane = (body) => {
  const row = document.createElement("div");
  row.className = "sync-lane";
  for (const span of lane(body.covered)) {
    const shown = spanOf(state.view, span.start, span.end);
    if (!shown) continue;
    const covered = document.createElement("div");
    covered.className = "timeline-covered";
    place(covered, shown);
    row.append(covered);
  }
  for (const event of body.events) {
    const shown = spanOf(state.view, Date.parse(event.started_at),
      event.ended_at ? Date.parse(event.ended_at) : state.view.end);
    if (!shown) continue;
    const mark = document.createElement("div");
    mark.className = "timeline-event";
    place(mark, shown);
    row.append(mark);
  }
  return row;
};

const loadTimeline = async (view) => {
  state.view = view;
  const query = new URLSearchParams({ start: iso(view.start), end: iso(view.end) }).toString();
  const bodies = await Promise.all(config.cameras.map((camera) => fetchJson(`${camera.timelineUrl}?${query}`)));
  if (view !== state.view) return;
  root.dataset.viewStart = String(view.start);
  root.dataset.viewEnd = String(view.end);
  track.replaceChildren(...bodies.map(drawLane));
  drawTicks(ticks, view, config.timeZone);
  exportPanel?.redraw();
};

// Export a range of every camera shown (one zip); the stream is the one every tile plays, if they agree.
const sharedStream = () => {
  const streams = new Set(tiles.map((tile) => tile.player.session?.stream).filter(Boolean));
  return streams.size === 1 ? [...streams][0] : "";
};
const exportPanel = config.export && mountExportPanel({
  panel: root.querySelector("[data-range-export]"),
  bar,
  target: config.export,
  timeZone: config.timeZone,
  moment: currentMoment,
  stream: sharedStream,
  view: () => state.view,
});

const setView = (view) => { loadTimeline(view).catch((err) => say(reason(err))); };
const anchor = () => (state.wall !== null && spanOf(state.view, state.wall, state.wall + 1) ? state.wall
  : (state.view.start + state.view.end) / 2);

// --- what the page shows ------------------------------------------------------------------------

const showClock = () => {
  const moment = currentMoment();
  if (moment !== null) {
    state.wall = moment;
    root.dataset.wallclock = String(Math.round(moment));
    const text = formatTime(iso(moment), config.timeZone);
    if (clock.textContent !== text) clock.textContent = text;
    const span = state.view && spanOf(state.view, moment, state.view.end);
    playhead.hidden = !span;
    if (span) playhead.style.left = `${span.left * 100}%`;
  }
  playButton.textContent = state.playing ? "Pause" : "Play";
  playButton.setAttribute("aria-pressed", String(state.playing));
  requestAnimationFrame(showClock);
};

// --- input and start ----------------------------------------------------------------------------

bar.addEventListener("click", (e) => playAll(timeAtPixel(state.view, bar.getBoundingClientRect(), e.clientX)));
const actions = { play: togglePlay, back: () => stepAll(-10), forward: () => stepAll(10) };
for (const button of root.querySelectorAll("[data-action]")) {
  button.addEventListener("click", () => actions[button.dataset.action]());
}
for (const button of root.querySelectorAll("[data-speed]")) {
  button.addEventListener("click", () => setSpeed(Number(button.dataset.speed)));
}
for (const button of root.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => setView(movedView(state.view, button.dataset.view, anchor(), Date.now())));
}
document.addEventListener("keydown", (e) => {
  if (["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName) || e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === " " && e.target.tagName === "BUTTON") return;
  const handlers = {
    " ": togglePlay,
    k: togglePlay,
    ArrowLeft: () => stepAll(-10),
    ArrowRight: () => stepAll(10),
    i: () => exportPanel?.mark("start"),
    o: () => exportPanel?.mark("end"),
    l: () => setSpeed(changeSpeed(state.speed, 1)),
    j: () => setSpeed(changeSpeed(state.speed, -1)),
  };
  if (!handlers[key]) return;
  e.preventDefault();
  handlers[key]();
});

setSpeed(1);
setInterval(keepTogether, SYNC_EVERY_MS);
requestAnimationFrame(showClock);
const now = Date.now();
const at = config.at ? Date.parse(config.at) : NaN;
loadTimeline({ start: now - DAY_MS, end: now })
  .then(() => {
    root.dataset.ready = "true";
    if (!Number.isNaN(at)) playAll(at);
  })
  .catch((err) => say(reason(err)));
