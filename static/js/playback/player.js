// One <video> playing one camera's recorded footage, by wall-clock moment.
//
// playAt(ms) opens a playback session over the 24 hours around the moment (the API answers a signed
// HLS playlist URL), hls.js plays it (Safari plays HLS itself), and the player seeks by mapping
// wall-clock time to playlist time through the playlist's EXT-X-PROGRAM-DATE-TIME tags
// (./wallclock.js). A session lasts minutes: when its URLs stop working the player opens another
// and carries on from the moment on screen. Used by the timeline page (one camera) and the
// synchronized playback page (several cameras at the same moment).

import Hls from "../../vendor/hls.js/hls.light.min.mjs";
import { fetchJson } from "../http.js";
import { canDecode, cannotDecodeText } from "./codecs.js";
import { positionAt, sessionRange, stepFrom, wallClockAt } from "./wallclock.js";

const RENEW_BEFORE_MS = 20_000; // open a new session when the current one has less left than this
const RETRY_AFTER_MS = 10_000; // a failure within this long of the last one stops instead of looping

const iso = (ms) => new Date(ms).toISOString();
const isTypeSupported = window.MediaSource ? (type) => MediaSource.isTypeSupported(type) : null;
const workerPath = new URL("../../vendor/hls.js/hls.worker.js", import.meta.url).href;

export const NOTHING_AFTER = "Nothing is recorded after that moment yet. Use Live to watch the camera now.";

export class RecordedPlayer {
  // options: playbackUrl (the camera's playback session endpoint), stream() (the chosen stream or ""),
  // onMessage(text) ("" clears), onTarget(ms) (a new moment asked for), onSession() (one was opened).
  constructor(video, options) {
    this.video = video;
    this.options = { stream: () => "", onMessage: () => {}, onTarget: () => {}, onSession: () => {}, ...options };
    this.session = null;
    this.hls = null;
    this.native = false;
    this.fragments = [];
    this.speed = 1;
    this.lastFailure = 0;
    this.lastWall = null;
  }

  get attached() {
    return Boolean(this.hls || this.native);
  }

  // The playlist's fragments as the player knows them ({start, duration, pdt or programDateTime}).
  currentFragments() {
    if (this.native) return this.nativeFragments();
    const level = this.hls && this.hls.levels[Math.max(this.hls.currentLevel, 0)];
    return (level && level.details && level.details.fragments) || this.fragments;
  }

  // The wall-clock moment (ms) of the frame on screen; null before there is one.
  wallClock() {
    const fragments = this.currentFragments();
    if (!fragments.length || this.video.readyState < 2) return null;
    this.lastWall = wallClockAt(fragments, this.video.currentTime);
    return this.lastWall;
  }

  // Drop the HLS player (the session stays: a new player may attach to it).
  detach() {
    if (this.hls) this.hls.destroy();
    if (this.native) this.video.removeAttribute("src");
    this.hls = null;
    this.native = false;
    this.fragments = [];
  }

  stop() {
    this.detach();
    this.session = null;
  }

  // Play from wall-clock moment `ms`. Resolves false (after saying why) when nothing is recorded from
  // there on; rejects when the footage cannot be loaded or decoded (the error says why).
  async playAt(ms) {
    this.options.onMessage("");
    const fresh = await this.ensureSession(ms);
    const position = positionAt(this.currentFragments(), ms);
    if (position === null) {
      this.options.onMessage(NOTHING_AFTER);
      return false;
    }
    this.options.onTarget(ms);
    if (fresh && this.hls) this.hls.startLoad(position);
    else this.video.currentTime = position;
    this.video.playbackRate = this.speed;
    await this.video.play().catch(() => {});
    return true;
  }

  // Move `seconds` from the moment on screen (negative: back), within the footage.
  step(seconds) {
    const wall = this.wallClock();
    if (wall === null) return;
    const position = stepFrom(this.currentFragments(), wall, seconds);
    if (position !== null) this.video.currentTime = position;
  }

  setSpeed(speed) {
    this.speed = speed;
    this.video.playbackRate = speed;
  }

  // Whether the current session can play moment `ms`: not running out, and `ms` not newer than its
  // range (footage recorded since it was opened is only in a new one).
  serves(ms) {
    const session = this.session;
    return Boolean(session && this.attached && Date.parse(session.expires_at) - Date.now() > RENEW_BEFORE_MS
      && ms >= Date.parse(session.start) && ms < Date.parse(session.end));
  }

  // The session to play `ms` from, opened (and the player attached) when there is none, it runs out
  // or it ends before `ms`. Resolves true when a new player was attached.
  async ensureSession(ms) {
    if (this.serves(ms)) return false;
    const range = sessionRange(ms, Date.now()); // the API plays at most 24 hours
    const stream = this.options.stream();
    this.session = await fetchJson(this.options.playbackUrl, {
      method: "POST",
      body: { start: iso(range.start), end: iso(range.end), ...(stream ? { stream } : {}) },
    });
    this.options.onSession(this.session);
    const { codecs } = this.session;
    if (!canDecode(codecs, isTypeSupported)) {
      this.stop();
      throw new Error(cannotDecodeText(codecs));
    }
    await this.attach(this.session);
    return true;
  }

  // Safari plays HLS itself: no fragment list then, so the wall clock comes from the playlist's first
  // EXT-X-PROGRAM-DATE-TIME (video.getStartDate) and gaps are not skipped in the mapping.
  nativeFragments() {
    const video = this.video;
    const started = video.getStartDate ? video.getStartDate().getTime() : NaN;
    if (Number.isNaN(started)) return [];
    return [{ start: 0, duration: Number.isFinite(video.duration) ? video.duration : 0, pdt: started }];
  }

  attachNative(session) {
    return new Promise((resolve, reject) => {
      this.native = true;
      this.video.addEventListener("loadedmetadata", () => resolve(), { once: true });
      this.video.addEventListener("error", () => reject(new Error("The recording could not be loaded.")),
        { once: true });
      this.video.src = session.playlist_url;
    });
  }

  // A new hls.js player on the session's playlist; resolves once the playlist is read.
  attach(session) {
    const { video } = this;
    this.detach();
    if (!Hls.isSupported() && video.canPlayType("application/vnd.apple.mpegurl")) {
      return this.attachNative(session);
    }
    return new Promise((resolve, reject) => {
      const hls = new Hls({
        autoStartLoad: false, enableWorker: true, workerPath, maxBufferLength: 20, backBufferLength: 30,
      });
      this.hls = hls;
      hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
        this.fragments = data.details.fragments;
        resolve();
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (this.fragments.length) this.recover();
        else reject(new Error("The recording could not be loaded."));
      });
      hls.loadSource(session.playlist_url);
      hls.attachMedia(video);
    });
  }

  // A fatal network error is most often the session running out (its URLs answer 404 then): open a
  // new one from the moment on screen, but not in a loop.
  recover() {
    const now = Date.now();
    const moment = this.wallClock() ?? this.lastWall;
    this.stop();
    if (now - this.lastFailure < RETRY_AFTER_MS || moment === null) {
      this.options.onMessage("Playback stopped: the footage could not be loaded. Click the timeline to try again.");
      return;
    }
    this.lastFailure = now;
    this.playAt(moment).catch((err) => this.options.onMessage(err.message || String(err)));
  }
}
