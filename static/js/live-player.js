// <cctv-player camera="<public id>" variant="main|sub" label="..."> : one live camera.
//
// It talks to the portal's live relay (ws(s)://<host>/ws/cameras/<id>/live/[sub/]),
// which speaks go2rtc's WebSocket protocol. WebRTC first; when WebRTC cannot
// connect (the browser cannot reach the media port, or cannot decode the
// codec) it falls back to MSE: fMP4 segments over the same socket.
//
// State, for people (a badge) and for tests (attributes on the element):
//   data-state: connecting | live | offline | denied | error | paused
//   data-mode:  webrtc | mse
// "live" means frames are really being presented, not just "connected".
//
// It retries on its own (exponential backoff, 1 s to 30 s) except when access
// is denied or the error cannot go away by waiting (too many sessions, an
// unplayable format). Off-screen or in a hidden tab for 5 s, it disconnects
// ("paused") and reconnects when seen again.
(function () {
  "use strict";

  if (!window.customElements || customElements.get("cctv-player")) return;

  // Codecs offered for MSE; go2rtc picks from those the browser can play.
  var MSE_CODECS = [
    "avc1.640029", "avc1.64002A", "avc1.640033", "hvc1.1.6.L153.B0",
    "mp4a.40.2", "mp4a.40.5", "flac", "opus",
  ];
  var WEBRTC_CONNECT_MS = 6000;  // answered but not connected by then: use MSE
  var WEBRTC_PATIENCE_MS = 20000; // ...unless the gateway answers ICE checks: then up to this
  var ANSWER_TIMEOUT_MS = 20000;
  var FIRST_FRAME_TIMEOUT_MS = 40000;
  var MSE_PREFERENCE_MS = 10 * 60 * 1000;
  var PAUSE_AFTER_MS = 5000;     // off-screen or hidden tab this long: disconnect
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 30000;
  var STALL_SHOW_MS = 3000;      // no new frame this long: not "live" any more
  var STALL_RECONNECT_MS = 15000; // ...and this long: start over
  var CHECK_MS = 1000;
  var MSE_LIVE_LAG_S = 2;        // further behind the newest frame than this: jump
  var MSE_KEEP_S = 4;            // media kept behind the play position

  var LABELS = {
    connecting: "Connecting", live: "Live", offline: "Offline",
    denied: "No access", error: "Error", paused: "Paused",
  };

  var config = null;
  function pageConfig() {
    if (config) return config;
    config = { iceServers: [], accessUrl: "/live/cameras/{camera}/access/" };
    var node = document.getElementById("live-config");
    if (node) {
      try {
        var parsed = JSON.parse(node.textContent);
        Object.keys(parsed).forEach(function (key) { config[key] = parsed[key]; });
      } catch (err) {
        console.warn("cctv-player: unreadable live-config", err);
      }
    }
    return config;
  }

  function supportedMseCodecs() {
    var MS = window.ManagedMediaSource || window.MediaSource;
    if (!MS) return "";
    return MSE_CODECS.filter(function (codec) {
      return MS.isTypeSupported('video/mp4; codecs="' + codec + '"');
    }).join(",");
  }

  function forcedMse(el) {
    return el.hasAttribute("force-mse") || new URLSearchParams(location.search).get("force_mse") === "1";
  }

  // One IntersectionObserver and one visibilitychange listener for all
  // players: a 100-tile grid should not register 100 of each.
  var observer = null;
  var players = new Set();
  function watchVisibility(player) {
    players.add(player);
    if (!("IntersectionObserver" in window)) {
      player._inView = true;
      player._visibilityChanged();
      return;
    }
    if (!observer) {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          entry.target._inView = entry.isIntersecting;
          entry.target._visibilityChanged();
        });
      });
    }
    observer.observe(player);
  }
  function unwatchVisibility(player) {
    players.delete(player);
    if (observer) observer.unobserve(player);
  }
  document.addEventListener("visibilitychange", function () {
    players.forEach(function (player) { player._visibilityChanged(); });
  });

  // At most this many players of a page set up a session at once (until
  // their first frame or failure); the rest wait their turn, showing
  // "connecting". A 100-tile wall opening every socket, peer connection and
  // decoder in the same second starves a small machine until handshakes time
  // out, and each timeout costs a retry (or an MSE fallback, which loads the
  // portal). The live config may set "maxStarting".
  var MAX_STARTING = 24;
  var starting = new Set();
  var waiting = [];
  function startWhenFree(player) {
    if (starting.size < (pageConfig().maxStarting || MAX_STARTING)) {
      starting.add(player);
      player._open();
    } else if (waiting.indexOf(player) < 0) {
      waiting.push(player);
    }
  }
  function startDone(player) {
    var at = waiting.indexOf(player);
    if (at >= 0) waiting.splice(at, 1);
    if (!starting.delete(player)) return;
    while (waiting.length && starting.size < (pageConfig().maxStarting || MAX_STARTING)) {
      var next = waiting.shift();
      starting.add(next);
      next._open();
    }
  }

  // Whether any ICE candidate pair got a reply from the gateway.
  function gatewayAnswersIce(pc) {
    return pc.getStats().then(function (report) {
      var answered = false;
      report.forEach(function (stat) {
        if (stat.type === "candidate-pair" && (stat.responsesReceived > 0 || stat.state === "succeeded")) answered = true;
      });
      return answered;
    }, function () { return false; });
  }

  function videoFrames(video) {
    if (video.getVideoPlaybackQuality) return video.getVideoPlaybackQuality().totalVideoFrames;
    if ("webkitDecodedFrameCount" in video) return video.webkitDecodedFrameCount;
    return Math.floor(video.currentTime * 1000);
  }

  class CctvPlayer extends HTMLElement {
    static get observedAttributes() { return ["camera", "variant"]; }

    constructor() {
      super();
      this._session = 0;       // bumped on every (re)connect; stale callbacks compare it
      this._ws = null;
      this._pc = null;
      this._ms = null;
      this._sb = null;
      this._queue = [];
      this._timers = {};
      this._attempts = 0;
      this._inView = null;     // unknown until the observer reports
      this._paused = false;
      this._final = false;     // denied or a hard error: no retry
      this._mseUntil = 0;      // WebRTC failed lately for this tile: MSE until then
      this._mode = "";
    }

    get mode() { return this._mode; }
    get state() { return this.getAttribute("data-state") || ""; }

    connectedCallback() {
      if (!this._video) this._build();
      this._connected = true;
      this._setState("connecting");
      watchVisibility(this);
    }

    disconnectedCallback() {
      this._connected = false;
      unwatchVisibility(this);
      this._stop();
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (!this._connected || oldValue === newValue) return;
      this._final = false;
      this._mseUntil = 0;
      this._attempts = 0;
      this._restart();
    }

    // Try again now (for instance when the camera was just reported online).
    retryNow() {
      if (!this._connected || this._final || this._paused) return;
      if (this.state === "offline" || this._timers.retry) {
        this._attempts = 0;
        this._restart();
      }
    }

    _build() {
      this.classList.add("cctv-player");
      var video = document.createElement("video");
      video.muted = true;            // autoplay is only allowed muted
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute("muted", "");
      video.setAttribute("playsinline", "");
      video.disablePictureInPicture = true;
      this._video = video;
      var label = document.createElement("span");
      label.className = "live-label";
      label.textContent = this.getAttribute("label") || "";
      var badge = document.createElement("span");
      badge.className = "live-badge";
      var message = document.createElement("span");
      message.className = "live-message";
      this._badge = badge;
      this._message = message;
      this.append(video, label, badge, message);
    }

    _setState(state, text) {
      this.setAttribute("data-state", state);
      this._badge.textContent = LABELS[state] || state;
      this._badge.className = "live-badge live-badge-" + state;
      this._message.textContent = state === "live" || state === "connecting" ? "" : (text || "");
      this._badge.title = text || "";
    }

    _setMode(mode) {
      this._mode = mode;
      this.setAttribute("data-mode", mode);
    }

    _visibilityChanged() {
      var visible = this._inView !== false && !document.hidden;
      if (visible) {
        this._clearTimer("pause");
        if (this._paused || !this._started) {
          this._paused = false;
          this._started = true;
          this._restart();
        }
      } else if (!this._paused && !this._timers.pause) {
        var self = this;
        this._timers.pause = setTimeout(function () {
          delete self._timers.pause;
          self._paused = true;
          self._stop();
          if (!self._final) self._setState("paused", "Paused while not visible.");
        }, PAUSE_AFTER_MS);
      }
    }

    _clearTimer(name) {
      if (this._timers[name]) {
        clearTimeout(this._timers[name]);
        clearInterval(this._timers[name]);
        delete this._timers[name];
      }
    }

    // --- connection lifecycle ------------------------------------------------

    _url() {
      var scheme = location.protocol === "https:" ? "wss:" : "ws:";
      var sub = this.getAttribute("variant") === "sub" ? "sub/" : "";
      var camera = encodeURIComponent(this.getAttribute("camera") || "");
      return scheme + "//" + location.host + "/ws/cameras/" + camera + "/live/" + sub;
    }

    _restart() {
      this._stop();
      if (!this._connected || this._paused || this._final) return;
      this._setState("connecting");
      startWhenFree(this);
    }

    // Closes everything of the current session; its late callbacks are ignored.
    _stop() {
      startDone(this);
      this._session += 1;
      ["retry", "answer", "webrtc", "check"].forEach(this._clearTimer, this);
      if (this._ws) {
        this._ws.onopen = this._ws.onmessage = this._ws.onclose = this._ws.onerror = null;
        this._ws.close();
        this._ws = null;
      }
      this._closePeer();
      this._closeMse();
      if (this._video.srcObject) this._video.srcObject = null;
      if (this._video.hasAttribute("src")) {
        this._video.removeAttribute("src");
        this._video.load();  // drops the old MediaSource; removing src alone does not
      }
    }

    _open() {
      var self = this;
      var session = this._session;
      var opened = false;
      this._lastError = null;
      this._setState("connecting");
      var ws = new WebSocket(this._url());
      ws.binaryType = "arraybuffer";
      this._ws = ws;
      ws.onopen = function () {
        opened = true;
        if (performance.now() < self._mseUntil || forcedMse(self)) self._startMse(session);
        else self._startWebRTC(session);
      };
      ws.onmessage = function (event) {
        if (session !== self._session) return;
        if (typeof event.data === "string") self._onText(session, event.data);
        else self._onBinary(event.data);
      };
      ws.onclose = function (event) {
        if (session !== self._session) return;
        self._ws = null;
        self._onClose(session, event.code, opened);
      };
      this._startChecks(session);
    }

    _send(message) {
      if (this._ws && this._ws.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(message));
    }

    _onText(session, text) {
      var message;
      try {
        message = JSON.parse(text);
      } catch (err) {
        return;
      }
      switch (message.type) {
        case "webrtc/answer": this._onAnswer(session, message.value); break;
        case "webrtc/candidate": this._onRemoteCandidate(message.value); break;
        case "mse": this._onMseType(session, message.value); break;
        case "error": this._onError(session, String(message.value || "")); break;
      }
    }

    _onError(session, value) {
      var at = value.indexOf(":");
      var code = at > 0 ? value.slice(0, at).trim() : "";
      var text = at > 0 ? value.slice(at + 1).trim() : value;
      this._lastError = { code: code, text: text };
      switch (code) {
        case "codec_mismatch":
          if (this._mode === "webrtc") this._fallBackToMse(session);
          else this._giveUp("error", text);
          break;
        case "access_revoked":
          this._giveUp("denied", text);
          break;
        case "too_many_sessions":
        case "refused":
          this._giveUp("error", text);
          break;
        case "camera_unavailable":
          // Disabled or without a gateway: may change, but not soon.
          this._attempts = 99;
          this._retryLater("offline", text);
          break;
        default: // stream_unavailable, camera_unreachable, gateway_unreachable
          this._retryLater("offline", text);
      }
    }

    _onClose(session, code, opened) {
      if (code === 4401 || code === 4404) {
        this._giveUp("denied", "You do not have access to this camera.");
      } else if (code === 4429) {
        this._giveUp("error", "You have too many live views open; close some first.");
      } else if (!opened) {
        // A refusal during the handshake arrives without its close code
        // (the browser only sees 1006), so ask the portal why.
        this._probeAccess(session);
      } else {
        this._retryLater(code === 4502 ? "offline" : "connecting",
          code === 4502 ? "The video gateway is not reachable." : "Connection lost; reconnecting.");
      }
    }

    _probeAccess(session) {
      var self = this;
      var url = pageConfig().accessUrl.replace("{camera}", encodeURIComponent(this.getAttribute("camera") || ""));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
        if (session !== self._session) return;
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          self._giveUp("denied", response.status === 401 ? "Sign in again to watch." : "You do not have access to this camera.");
        } else {
          self._retryLater("offline", "The live service is not reachable.");
        }
      }, function () {
        if (session === self._session) self._retryLater("offline", "The portal is not reachable.");
      });
    }

    _giveUp(state, text) {
      this._stop();
      this._final = true;
      this._setState(state, text);
    }

    _retryLater(state, text) {
      this._stop();
      this._setState(state, text);
      // Exponential backoff with jitter, so a gateway restart is not met by
      // every tile of every viewer in the same second.
      var delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, Math.min(this._attempts, 10)));
      delay = delay * (0.8 + Math.random() * 0.4);
      this._attempts += 1;
      var self = this;
      this._timers.retry = setTimeout(function () {
        delete self._timers.retry;
        self._restart();
      }, delay);
    }

    // --- "live" means frames are advancing ------------------------------------

    _startChecks(session) {
      var self = this;
      var video = this._video;
      this._lastFrames = -1;
      this._lastProgress = performance.now();
      this._hadFrames = false;
      if (video.requestVideoFrameCallback) {
        // Flip to "live" on the first presented frame rather than up to a
        // check interval later.
        video.requestVideoFrameCallback(function () {
          if (session === self._session) self._check(session);
        });
      }
      this._timers.check = setInterval(function () { self._check(session); }, CHECK_MS);
    }

    _check(session) {
      if (session !== this._session) return;
      var now = performance.now();
      var frames = videoFrames(this._video);
      if (frames > 0 && frames !== this._lastFrames && !this._video.paused) {
        this._lastFrames = frames;
        this._lastProgress = now;
        this._hadFrames = true;
        if (this.state !== "live") {
          this._attempts = 0;
          this._setState("live");
          startDone(this);
        }
      } else if (this._hadFrames) {
        // A frozen picture is no longer "live", but a busy machine or a
        // network blip often recovers by itself: tearing down every tile of
        // a wall at once would only add load. Reconnect only if it lasts.
        var frozen = now - this._lastProgress;
        if (frozen > STALL_SHOW_MS && this.state === "live") this._setState("connecting", "The picture froze.");
        if (frozen > STALL_RECONNECT_MS) this._retryLater("connecting", "The picture froze; reconnecting.");
      } else if (now - this._lastProgress > FIRST_FRAME_TIMEOUT_MS) {
        this._retryLater("offline", "No picture from the camera.");
      }
      if (this._mode === "mse") this._chaseLiveEdge();
    }

    _play() {
      var promise = this._video.play();
      if (promise && promise.catch) promise.catch(function () { /* retried by autoplay / next frame */ });
    }

    // --- WebRTC -------------------------------------------------------------

    _startWebRTC(session) {
      var self = this;
      if (!window.RTCPeerConnection) {
        this._fallBackToMse(session);
        return;
      }
      this._setMode("webrtc");
      var pc = new RTCPeerConnection({ iceServers: pageConfig().iceServers || [] });
      this._pc = pc;
      this._remoteChain = Promise.resolve();
      var pending = [];  // local candidates found before the offer went out
      var offerSent = false;
      var stream = new MediaStream();
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.ontrack = function (event) {
        stream.addTrack(event.track);
        if (self._video.srcObject !== stream) self._video.srcObject = stream;
        self._play();
      };
      pc.onicecandidate = function (event) {
        var candidate = { type: "webrtc/candidate", value: event.candidate ? event.candidate.candidate : "" };
        if (offerSent) self._send(candidate);
        else pending.push(candidate);
      };
      pc.onconnectionstatechange = function () {
        if (session !== self._session || pc !== self._pc) return;
        if (pc.connectionState === "connected") {
          self._clearTimer("webrtc");
          self._webrtcConnected = true;
        } else if (pc.connectionState === "failed") {
          // Never connected: the media port is out of reach, try MSE.
          // Connected before: a network change, start over.
          if (self._webrtcConnected) self._retryLater("connecting", "Connection lost; reconnecting.");
          else self._fallBackToMse(session);
        }
      };
      this._webrtcConnected = false;
      // The gateway answers once it has the camera's stream; a camera that
      // cannot be reached is reported as an error, this is only a safety net.
      this._timers.answer = setTimeout(function () {
        delete self._timers.answer;
        if (session === self._session) self._retryLater("offline", "The video gateway did not answer.");
      }, ANSWER_TIMEOUT_MS);
      pc.createOffer().then(function (offer) {
        return pc.setLocalDescription(offer);
      }).then(function () {
        if (session !== self._session) return;
        self._send({ type: "webrtc/offer", value: pc.localDescription.sdp });
        offerSent = true;
        pending.forEach(function (candidate) { self._send(candidate); });
        pending = [];
      }).catch(function (err) {
        console.warn("cctv-player: WebRTC offer failed", err);
        if (session === self._session) self._fallBackToMse(session);
      });
    }

    // Remote descriptions and candidates are applied strictly in order: a
    // candidate must not be added before the answer it belongs to.
    _onAnswer(session, sdp) {
      var self = this;
      var pc = this._pc;
      if (!pc) return;
      this._clearTimer("answer");
      // From here on only the media path is left: if it does not connect
      // soon, the browser probably cannot reach the gateway's WebRTC port.
      var answeredAt = performance.now();
      var judge = function () {
        delete self._timers.webrtc;
        if (session !== self._session || pc.connectionState === "connected") return;
        gatewayAnswersIce(pc).then(function (reachable) {
          if (session !== self._session || pc.connectionState === "connected") return;
          // Answers to our connectivity checks prove the port is reachable:
          // the machine is merely busy (a big wall starting), so be patient.
          if (reachable && performance.now() - answeredAt < WEBRTC_PATIENCE_MS) {
            self._timers.webrtc = setTimeout(judge, 1000);
          } else {
            self._fallBackToMse(session);
          }
        });
      };
      this._timers.webrtc = setTimeout(judge, WEBRTC_CONNECT_MS);
      this._remoteChain = this._remoteChain.then(function () {
        return pc.setRemoteDescription({ type: "answer", sdp: sdp });
      }).catch(function (err) { console.warn("cctv-player: bad answer", err); });
    }

    _onRemoteCandidate(candidate) {
      var pc = this._pc;
      if (!pc || !candidate) return;  // "" marks the end of the gateway's candidates
      this._remoteChain = this._remoteChain.then(function () {
        return pc.addIceCandidate({ candidate: candidate, sdpMid: "0" });
      }).catch(function (err) { console.debug("cctv-player: candidate skipped", err); });
    }

    _closePeer() {
      if (!this._pc) return;
      this._pc.ontrack = this._pc.onicecandidate = this._pc.onconnectionstatechange = null;
      this._pc.close();
      this._pc = null;
    }

    // --- MSE fallback ---------------------------------------------------------

    _fallBackToMse(session) {
      if (session !== this._session || this._mode === "mse") return;
      this._clearTimer("answer");
      this._clearTimer("webrtc");
      this._closePeer();
      this._video.srcObject = null;
      // Remembered for this tile's reconnects for a while: whatever blocked
      // WebRTC (a firewall, a codec) is unlikely to go away soon, but a
      // passing overload is, and WebRTC costs the portal nothing.
      this._mseUntil = performance.now() + MSE_PREFERENCE_MS;
      if (this._ws && this._ws.readyState === WebSocket.OPEN) this._startMse(session);
      else this._retryLater("connecting", "Switching to the fallback stream.");
    }

    _startMse(session) {
      var self = this;
      var MS = window.ManagedMediaSource || window.MediaSource;
      this._setMode("mse");
      if (!MS) {
        this._giveUp("error", "This browser can play neither WebRTC nor MSE video.");
        return;
      }
      var ms = new MS();
      this._ms = ms;
      this._sb = null;
      this._queue = [];
      ms.addEventListener("sourceopen", function () {
        if (session !== self._session) return;
        URL.revokeObjectURL(self._video.src);
        self._send({ type: "mse", value: supportedMseCodecs() });
      }, { once: true });
      this._video.disableRemotePlayback = true;  // required by ManagedMediaSource
      this._video.srcObject = null;
      this._video.src = URL.createObjectURL(ms);
      this._play();
    }

    _onMseType(session, mime) {
      var self = this;
      if (!this._ms || this._ms.readyState !== "open" || this._sb) return;
      try {
        this._sb = this._ms.addSourceBuffer(mime);
      } catch (err) {
        this._giveUp("error", "This browser cannot play this camera's video format.");
        return;
      }
      this._sb.mode = "segments";
      this._sb.addEventListener("updateend", function () {
        if (session === self._session) self._pump();
      });
      this._pump();
    }

    _onBinary(data) {
      if (this._mode !== "mse" || !this._ms) return;
      this._queue.push(new Uint8Array(data));
      this._pump();
    }

    // Append what arrived while the SourceBuffer was busy, in one go.
    _pump() {
      var sb = this._sb;
      if (!sb || sb.updating || this._ms.readyState !== "open") return;
      if (this._trim()) return;  // removal in progress; updateend calls us again
      if (!this._queue.length) return;
      var chunk = this._queue.length === 1 ? this._queue[0] : concat(this._queue);
      this._queue = [];
      try {
        sb.appendBuffer(chunk);
      } catch (err) {
        // QuotaExceeded or a broken stream: start the session over.
        this._retryLater("connecting", "Video buffer error; reconnecting.");
        return;
      }
      this._chaseLiveEdge();
    }

    // Keep only a few seconds behind the play position, so memory stays flat
    // on a wall that runs for days.
    _trim() {
      var buffered = this._sb.buffered;
      if (!buffered.length) return false;
      var start = buffered.start(0);
      var keepFrom = this._video.currentTime - MSE_KEEP_S;
      if (keepFrom - start < 2) return false;
      this._sb.remove(start, keepFrom);
      return true;
    }

    // A live view should show now, not a queue of the past: when playback
    // falls behind the newest buffered frame, jump forward.
    _chaseLiveEdge() {
      var video = this._video;
      var buffered = video.buffered;
      if (!buffered.length) return;
      var end = buffered.end(buffered.length - 1);
      var start = buffered.start(buffered.length - 1);
      if (end - video.currentTime > MSE_LIVE_LAG_S || video.currentTime < start) {
        video.currentTime = Math.max(start, end - 0.3);
      }
      if (video.paused) this._play();
    }

    _closeMse() {
      if (!this._ms) return;
      if (this._ms.readyState === "open") {
        try { this._ms.endOfStream(); } catch (err) { /* already ending */ }
      }
      this._ms = null;
      this._sb = null;
      this._queue = [];
    }
  }

  function concat(chunks) {
    var size = chunks.reduce(function (sum, chunk) { return sum + chunk.byteLength; }, 0);
    var out = new Uint8Array(size);
    var at = 0;
    chunks.forEach(function (chunk) { out.set(chunk, at); at += chunk.byteLength; });
    return out;
  }

  customElements.define("cctv-player", CctvPlayer);
})();
