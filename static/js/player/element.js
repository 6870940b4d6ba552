// <cctv-player camera="<public id>" variant="main|sub" label="...">: one live camera.
//
// It talks to the portal's live relay (ws(s)://<host>/ws/cameras/<id>/live/[sub/]), which speaks
// go2rtc's WebSocket protocol. WebRTC first (webrtc-session.js); when WebRTC cannot connect (the
// browser cannot reach the media port, or cannot decode the codec) it falls back to MSE
// (mse-session.js): fMP4 segments over the same socket. This file is the element and the
// connection's lifecycle; what to do about each error is decided in outcomes.js.
//
// State, for people (a badge) and for tests (attributes on the element):
//   data-state: connecting | live | offline | denied | error | paused
//   data-mode:  webrtc | mse
// "live" means frames are really being presented, not just "connected".
//   data-picture: set once the tile shows a picture at all: the camera's recent snapshot (shown at
//   once, before and independently of the video session) or the video.
//
// It retries on its own (exponential backoff, 1 s to 30 s) except when access is denied or the
// error cannot go away by waiting (too many sessions, an unplayable format). Off-screen or in a
// hidden tab for 5 s, it disconnects ("paused") and reconnects when seen again.

import { backoffDelay } from "../backoff.js";
import { thumbnailUrl } from "../camera-filter.js";
import { closeCodes, pageConfig, readJson, relayErrors, socketUrl } from "../config.js";
import { request } from "../http.js";
import { MseSession, mediaSourceClass } from "./mse-session.js";
import { closeOutcome, errorOutcome, frameVerdict, parseRelayError, probeOutcome } from "./outcomes.js";
import { LABELS, TRANSPORTS, badgeTitle } from "./labels.js";
import { PicturesFirst, StartQueue } from "./start-queue.js";
import { unwatchVisibility, watchVisibility } from "./visibility.js";
import { WebRtcSession } from "./webrtc-session.js";

const PAUSE_AFTER_MS = 5000;          // off-screen or hidden tab this long: disconnect
const MSE_PREFERENCE_MS = 10 * 60 * 1000;
const CHECK_MS = 1000;
const SLOW_RETRY_ATTEMPT = 99;        // waits the longest backoff
const PICTURES_FIRST_MS = 1500;      // video sessions wait for the page's pictures this long at most
const MAX_STARTING = 24;              // the live config may set "maxStarting"
// Live sockets of a page still opening (handshake not done) at once. Chromium delays every new
// WebSocket of a renderer process (here, the page) by a random 1-5 s times 2^(its sockets still
// opening) / 65536 (websocket_throttler.cc): with the 24 of a starting wall pending, a second or
// more each; with 3, under a millisecond. Handshakes to one server go one at a time anyway
// (RFC 6455 4.1), so a short line costs nothing.
const MAX_OPENING = 3;

const liveConfig = () => readJson("live-config");

const starts = new StartQueue(() => liveConfig().maxStarting || MAX_STARTING);
const opening = new StartQueue(() => MAX_OPENING);
const picturesFirst = new PicturesFirst({ queue: starts, maxWaitMs: PICTURES_FIRST_MS });

const forcedMse = (el) => el.hasAttribute("force-mse") || new URLSearchParams(location.search).get("force_mse") === "1";

const videoFrames = (video) => {
  if (video.getVideoPlaybackQuality) return video.getVideoPlaybackQuality().totalVideoFrames;
  if ("webkitDecodedFrameCount" in video) return video.webkitDecodedFrameCount;
  return Math.floor(video.currentTime * 1000);
};

export class CctvPlayer extends HTMLElement {
  static get observedAttributes() { return ["camera", "variant"]; }

  constructor() {
    super();
    this.session = 0;       // bumped on every (re)connect; stale callbacks compare it
    this.ws = null;
    this.webrtc = null;
    this.mse = null;
    this.timers = {};
    this.attempts = 0;
    this.inView = null;     // unknown until the observer reports
    this.paused = false;
    this.started = false;
    this.final = false;     // denied or a hard error: no retry
    this.mseUntil = 0;      // WebRTC failed lately for this tile: MSE until then
    this.currentMode = "";
  }

  get mode() { return this.currentMode; }
  get state() { return this.getAttribute("data-state") || ""; }

  connectedCallback() {
    if (!this.video) this.build();
    this.isConnectedToPage = true;
    this.setState("connecting");
    this.showPoster();
    watchVisibility(this);
  }

  disconnectedCallback() {
    this.isConnectedToPage = false;
    unwatchVisibility(this);
    picturesFirst.settled(this);
    this.stop();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (!this.isConnectedToPage || oldValue === newValue) return;
    this.final = false;
    this.mseUntil = 0;
    this.attempts = 0;
    this.removeAttribute("data-picture");
    this.poster.removeAttribute("data-loaded");  // another camera: not its picture
    this.restart();
  }

  // Try again now (for instance when the camera was just reported online).
  retryNow() {
    if (!this.isConnectedToPage || this.final || this.paused) return;
    if (this.state === "offline" || this.timers.retry) {
      this.attempts = 0;
      this.restart();
    }
  }

  build() {
    this.classList.add("cctv-player");
    const video = document.createElement("video");
    video.muted = true;            // autoplay is only allowed muted
    video.autoplay = true;
    video.playsInline = true;
    video.setAttribute("muted", "");
    video.setAttribute("playsinline", "");
    video.disablePictureInPicture = true;
    this.video = video;
    const label = document.createElement("span");
    label.className = "live-label";
    label.textContent = this.getAttribute("label") || "";
    // The tile's one status mark: a dot (CSS) and the state's word; its tooltip adds the transport.
    this.badge = document.createElement("span");
    this.badge.className = "live-badge";
    this.badgeText = document.createElement("span");
    this.badgeText.className = "live-badge-text";
    this.badge.append(this.badgeText);
    this.message = document.createElement("span");
    this.message.className = "live-message";
    // The camera's recent snapshot, shown until the video plays (and whenever it does not): a wall
    // shows every camera at once, while the video sessions start a few at a time.
    this.poster = document.createElement("img");
    this.poster.className = "live-poster";
    this.poster.alt = "";
    this.poster.decoding = "async";
    // Asked for at once and ahead of the page's other images: the server answers from its cache or
    // with nothing (never the gateway), so it cannot hold up the page, and a wall's pictures are
    // what its viewer looks at first.
    this.poster.fetchPriority = "high";
    this.poster.addEventListener("load", () => {
      this.poster.setAttribute("data-loaded", "");
      this.markPicture();
      picturesFirst.settled(this);
    });
    this.poster.addEventListener("error", () => {  // also a 204: nothing cached
      this.poster.removeAttribute("data-loaded");
      picturesFirst.settled(this);
    });
    this.append(video, this.poster, label, this.badge, this.message);
  }

  // Asks for the camera's recent picture if the server has one cached (its one-minute snapshot, taken
  // for the dashboard or an earlier visit; never a new one: a wall of cold pictures slowed the video
  // down). The URL changes once a minute, so a reconnect within the minute costs nothing.
  showPoster() {
    const pattern = liveConfig().pictureUrl;
    const camera = this.getAttribute("camera");
    if (!pattern || !camera) return;
    const url = thumbnailUrl(pattern.replace("{camera}", encodeURIComponent(camera)));
    if (this.poster.getAttribute("src") === url) return;
    picturesFirst.loading(this);
    this.poster.setAttribute("src", url);
  }

  markPicture() {
    if (!this.hasAttribute("data-picture")) this.setAttribute("data-picture", "");
  }

  setState(state, text) {
    this.setAttribute("data-state", state);
    this.stateText = text || "";
    this.badgeText.textContent = LABELS[state] || state;
    this.badge.className = `live-badge live-badge-${state}`;
    this.message.textContent = state === "live" || state === "connecting" ? "" : (text || "");
    this.describeBadge();
  }

  setMode(mode) {
    this.currentMode = mode;
    this.setAttribute("data-mode", mode);
    this.describeBadge();
  }

  // "Live over WebRTC", "Connecting over MSE: Switching to the fallback stream." and so on.
  describeBadge() {
    const transport = TRANSPORTS[this.currentMode] || "";
    if (transport) this.badge.setAttribute("data-transport", transport);
    else this.badge.removeAttribute("data-transport");
    this.badge.title = badgeTitle({ state: this.state, mode: this.currentMode, text: this.stateText });
    // The whole tile shows it on hover too (the mark is small on a big wall).
    const label = this.getAttribute("label");
    this.title = label ? `${label}: ${this.badge.title}` : this.badge.title;
  }

  visibilityChanged() {
    const visible = this.inView !== false && !document.hidden;
    if (visible) {
      this.clearTimer("pause");
      if (this.paused || !this.started) {
        this.paused = false;
        this.started = true;
        this.restart();
      }
    } else if (!this.paused && !this.timers.pause) {
      this.timers.pause = setTimeout(() => {
        delete this.timers.pause;
        this.paused = true;
        this.stop();
        if (!this.final) this.setState("paused", "Paused while not visible.");
      }, PAUSE_AFTER_MS);
    }
  }

  clearTimer(name) {
    if (!this.timers[name]) return;
    clearTimeout(this.timers[name]);
    clearInterval(this.timers[name]);
    delete this.timers[name];
  }

  // --- connection lifecycle ------------------------------------------------------------------

  url() {
    const camera = encodeURIComponent(this.getAttribute("camera") || "");
    const path = ((pageConfig().sockets || {}).live || "").replace("{camera}", camera);
    return socketUrl(path + (this.getAttribute("variant") === "sub" ? "sub/" : ""));
  }

  restart() {
    this.stop();
    if (!this.isConnectedToPage || this.paused || this.final) return;
    this.setState("connecting");
    this.showPoster();
    starts.request(this, () => this.open());
  }

  // Closes everything of the current session; its late callbacks are ignored.
  stop() {
    starts.done(this);
    opening.done(this);
    this.session += 1;
    ["retry", "check"].forEach((name) => this.clearTimer(name));
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
      this.ws.close();
      this.ws = null;
    }
    this.closeWebRtc();
    this.closeMse();
    if (this.video.srcObject) this.video.srcObject = null;
    if (this.video.hasAttribute("src")) {
      this.video.removeAttribute("src");
      this.video.load();  // drops the old MediaSource; removing src alone does not
    }
  }

  open() {
    this.setState("connecting");
    opening.request(this, () => this.openSocket());
  }

  openSocket() {
    const session = this.session;
    let opened = false;
    const ws = new WebSocket(this.url());
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      opening.done(this);
      if (performance.now() < this.mseUntil || forcedMse(this)) this.startMse();
      else this.startWebRtc(session);
    };
    ws.onmessage = (event) => {
      if (session !== this.session) return;
      if (typeof event.data === "string") this.onText(session, event.data);
      else if (this.currentMode === "mse" && this.mse) this.mse.push(event.data);
    };
    ws.onclose = (event) => {
      opening.done(this);
      if (session !== this.session) return;
      this.ws = null;
      this.onClose(session, event.code, opened);
    };
    this.startChecks(session);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  onText(session, text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.type) {
      case "webrtc/answer": if (this.webrtc) this.webrtc.answer(message.value); break;
      case "webrtc/candidate": if (this.webrtc) this.webrtc.candidate(message.value); break;
      case "mse": if (this.mse) this.mse.setType(message.value); break;
      case "error":
        this.follow(session, errorOutcome(parseRelayError(String(message.value || "")), this.currentMode, relayErrors()));
        break;
      default:
    }
  }

  onClose(session, code, opened) {
    const outcome = closeOutcome(code, opened, closeCodes());
    if (outcome.action === "probe") this.probeAccess(session);
    else this.follow(session, outcome);
  }

  // A refused handshake arrives without its close code, so ask the portal why.
  async probeAccess(session) {
    const camera = encodeURIComponent(this.getAttribute("camera") || "");
    let outcome;
    try {
      outcome = probeOutcome((await request("GET", liveConfig().accessUrl.replace("{camera}", camera))).status);
    } catch {
      outcome = { action: "retry", state: "offline", text: "The portal is not reachable." };
    }
    if (session === this.session) this.follow(session, outcome);
  }

  // Carries out an outcome of outcomes.js.
  follow(session, outcome) {
    if (outcome.action === "fallback") this.fallBackToMse(session);
    else if (outcome.action === "give-up") this.giveUp(outcome.state, outcome.text);
    else {
      if (outcome.slow) this.attempts = SLOW_RETRY_ATTEMPT;
      this.retryLater(outcome.state, outcome.text);
    }
  }

  giveUp(state, text) {
    this.stop();
    this.final = true;
    this.setState(state, text);
  }

  retryLater(state, text) {
    this.stop();
    this.setState(state, text);
    const delay = backoffDelay(this.attempts);
    this.attempts += 1;
    this.timers.retry = setTimeout(() => {
      delete this.timers.retry;
      this.restart();
    }, delay);
  }

  // --- "live" means frames are advancing ---------------------------------------------------------

  startChecks(session) {
    this.lastFrames = -1;
    this.lastProgress = performance.now();
    this.hadFrames = false;
    if (this.video.requestVideoFrameCallback) {
      // Flip to "live" on the first presented frame rather than up to a check interval later.
      this.video.requestVideoFrameCallback(() => {
        if (session === this.session) this.check(session);
      });
    }
    this.timers.check = setInterval(() => this.check(session), CHECK_MS);
  }

  check(session) {
    if (session !== this.session) return;
    const now = performance.now();
    const frames = videoFrames(this.video);
    const verdict = frameVerdict({
      frames, lastFrames: this.lastFrames, paused: this.video.paused, hadFrames: this.hadFrames,
      idleMs: now - this.lastProgress, live: this.state === "live",
    });
    if (verdict === "advancing") {
      this.lastFrames = frames;
      this.lastProgress = now;
      this.hadFrames = true;
      if (this.state !== "live") {
        this.attempts = 0;
        this.setState("live");
        this.markPicture();
        starts.done(this);
      }
    } else if (verdict === "frozen") {
      this.setState("connecting", "The picture froze.");
    } else if (verdict === "stalled") {
      this.retryLater("connecting", "The picture froze; reconnecting.");
    } else if (verdict === "no-picture") {
      this.retryLater("offline", "No picture from the camera.");
    }
    if (this.currentMode === "mse" && this.mse) this.mse.chaseLiveEdge();
  }

  play() {
    const promise = this.video.play();
    if (promise && promise.catch) promise.catch(() => { /* retried by autoplay / next frame */ });
  }

  // --- the two media paths ----------------------------------------------------------------------------

  startWebRtc(session) {
    if (!window.RTCPeerConnection) {
      this.fallBackToMse(session);
      return;
    }
    this.setMode("webrtc");
    this.webrtc = new WebRtcSession({
      video: this.video,
      iceServers: liveConfig().iceServers,
      send: (message) => this.send(message),
      play: () => this.play(),
      onUnreachable: () => this.fallBackToMse(session),
      onLost: () => this.retryLater("connecting", "Connection lost; reconnecting."),
      onNoAnswer: () => this.retryLater("offline", "The video gateway did not answer."),
    });
    this.webrtc.start();
  }

  closeWebRtc() {
    if (!this.webrtc) return;
    this.webrtc.close();
    this.webrtc = null;
  }

  fallBackToMse(session) {
    if (session !== this.session || this.currentMode === "mse") return;
    this.closeWebRtc();
    this.video.srcObject = null;
    // Remembered for this tile's reconnects for a while: whatever blocked WebRTC (a firewall, a
    // codec) is unlikely to go away soon, but a passing overload is, and WebRTC costs the portal
    // nothing.
    this.mseUntil = performance.now() + MSE_PREFERENCE_MS;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.startMse();
    else this.retryLater("connecting", "Switching to the fallback stream.");
  }

  startMse() {
    this.setMode("mse");
    if (!mediaSourceClass()) {
      this.giveUp("error", "This browser can play neither WebRTC nor MSE video.");
      return;
    }
    this.mse = new MseSession({
      video: this.video,
      send: (message) => this.send(message),
      play: () => this.play(),
      onGiveUp: (state, text) => this.giveUp(state, text),
      onRetry: (state, text) => this.retryLater(state, text),
    });
    this.mse.start();
  }

  closeMse() {
    if (!this.mse) return;
    this.mse.close();
    this.mse = null;
  }
}
