// A live player's MSE session: fMP4 segments from go2rtc over the relay socket, appended to a
// MediaSource (ManagedMediaSource where the browser has it). The fallback when WebRTC cannot
// connect; it costs the portal CPU, since the video then passes through the relay.
//
// It reports to its player through callbacks, never after close():
//   onGiveUp(state, text)  this browser cannot play the stream
//   onRetry(state, text)   the buffer broke: start over

import { joinChunks, liveEdgeSeek, supportedCodecs, trimEnd } from "./mse-buffer.js";

export const mediaSourceClass = () => window.ManagedMediaSource || window.MediaSource;

export class MseSession {
  constructor({ video, send, play, onGiveUp, onRetry }) {
    Object.assign(this, { video, send, play, onGiveUp, onRetry });
    this.ms = null;
    this.sb = null;
    this.queue = [];
    this.closed = false;
  }

  // Attaches a new MediaSource to the video; once it opens, tells the gateway which codecs play.
  start() {
    const MS = mediaSourceClass();
    const ms = new MS();
    this.ms = ms;
    ms.addEventListener("sourceopen", () => {
      if (this.closed) return;
      URL.revokeObjectURL(this.video.src);
      this.send({ type: "mse", value: supportedCodecs((mime) => MS.isTypeSupported(mime)) });
    }, { once: true });
    this.video.disableRemotePlayback = true;  // required by ManagedMediaSource
    this.video.srcObject = null;
    this.video.src = URL.createObjectURL(ms);
    this.play();
  }

  // The gateway's answer: the stream's MIME type with the codecs it chose.
  setType(mime) {
    if (!this.ms || this.ms.readyState !== "open" || this.sb) return;
    try {
      this.sb = this.ms.addSourceBuffer(mime);
    } catch {
      this.onGiveUp("error", "This browser cannot play this camera's video format.");
      return;
    }
    this.sb.mode = "segments";
    this.sb.addEventListener("updateend", () => {
      if (!this.closed) this.pump();
    });
    this.pump();
  }

  // A binary frame: one fMP4 segment.
  push(data) {
    if (!this.ms) return;
    this.queue.push(new Uint8Array(data));
    this.pump();
  }

  // Appends what arrived while the SourceBuffer was busy, in one go.
  pump() {
    const sb = this.sb;
    if (!sb || sb.updating || this.ms.readyState !== "open") return;
    if (this.trim()) return;  // a removal is under way; updateend calls pump again
    if (!this.queue.length) return;
    const chunk = joinChunks(this.queue);
    this.queue = [];
    try {
      sb.appendBuffer(chunk);
    } catch {
      // QuotaExceeded or a broken stream: start the session over.
      this.onRetry("connecting", "Video buffer error; reconnecting.");
      return;
    }
    this.chaseLiveEdge();
  }

  trim() {
    const buffered = this.sb.buffered;
    if (!buffered.length) return false;
    const start = buffered.start(0);
    const end = trimEnd(start, this.video.currentTime);
    if (end === null) return false;
    this.sb.remove(start, end);
    return true;
  }

  // A live view should show now, not a queue of the past: jump forward when playback falls behind.
  chaseLiveEdge() {
    const video = this.video;
    const buffered = video.buffered;
    if (!buffered.length) return;
    const last = buffered.length - 1;
    const target = liveEdgeSeek(buffered.start(last), buffered.end(last), video.currentTime);
    if (target !== null) video.currentTime = target;
    if (video.paused) this.play();
  }

  // Ends the stream; nothing is reported after this. The player detaches it from the video.
  close() {
    this.closed = true;
    if (this.ms && this.ms.readyState === "open") {
      try {
        this.ms.endOfStream();
      } catch {
        // already ending
      }
    }
    this.ms = null;
    this.sb = null;
    this.queue = [];
  }
}
