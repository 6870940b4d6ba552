// PTZ controls of the live view: press and hold to move (mouse, touch, arrow keys), zoom, speed,
// presets, and who controls the camera. Everything goes through the portal's API
// (/api/v1/cameras/<id>/ptz/); a worker then speaks ONVIF to the camera.
//
// A held move is sent on press, renewed while held (the server stops a camera whose move is not
// renewed in time), and ended with a stop on release, on blur and when the page is hidden.
// Commands go out one at a time, in order, so a quick tap can never deliver its stop before its move.
(function () {
  "use strict";

  var DIRECTIONS = { left: [-1, 0, 0], right: [1, 0, 0], up: [0, 1, 0], down: [0, -1, 0], in: [0, 0, 1],
                     out: [0, 0, -1] };
  var KEYS = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down", "+": "in", "=": "in",
               "-": "out", PageUp: "in", PageDown: "out" };
  var POLL_MS = 1000;
  var POLL_MOVING_MS = 400;
  var PRESET_POLL_MS = 2000;

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function request(method, url, body, keepalive) {
    var init = { method: method, credentials: "same-origin", keepalive: !!keepalive,
                 headers: { Accept: "application/json" } };
    if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, body: data };
      });
    });
  }

  function firstError(body) {
    if (body.detail && Object.keys(body).length === 1) return body.detail;
    for (var key in body) {
      if (key !== "detail" && key !== "lock" && Array.isArray(body[key])) return body[key][0];
    }
    return body.detail || "The camera could not do that.";
  }

  function fixed(value) { return typeof value === "number" ? value.toFixed(2) : "–"; }

  function PTZPanel(root, config) {
    this.root = root;
    this.config = config;
    this.active = {};        // what is held now: "key:ArrowUp" or "pointer:3" -> direction
    this.moving = false;     // a move was sent and not stopped
    this.velocity = null;
    this.pending = 0;        // commands in flight
    this.chain = Promise.resolve();
    this.renewTimer = null;
    this.lock = null;
    this.speed = 0.5;
    this.el = function (name) { return root.querySelector("[data-ptz-" + name + "]"); };
  }

  PTZPanel.prototype.start = function () {
    this.bindButtons();
    this.bindKeys();
    this.bindPage();
    this.bindPresets();
    var self = this;
    var speed = this.el("speed");
    if (speed) {
      this.speed = parseFloat(speed.value);
      speed.addEventListener("input", function () { self.speed = parseFloat(speed.value); self.changed(); });
    }
    var home = this.el("home");
    if (home) home.addEventListener("click", function () { self.send({ action: "home" }); });
    this.el("takeover").addEventListener("click", function () { self.send({ action: "stop", takeover: true }); });
    this.el("collapse").addEventListener("click", function () { self.toggle(); });
    this.pollLoop();
  };

  PTZPanel.prototype.pollLoop = function () {
    var self = this;
    if (!document.hidden) this.poll();
    // Faster while moving, so the position follows the hold.
    setTimeout(function () { self.pollLoop(); }, this.moving ? POLL_MOVING_MS : POLL_MS);
  };

  // --- holding -----------------------------------------------------------------------------

  PTZPanel.prototype.vector = function () {
    var sum = [0, 0, 0];
    for (var key in this.active) {
      var d = DIRECTIONS[this.active[key]];
      for (var i = 0; i < 3; i++) sum[i] += d[i];
    }
    var speed = this.speed;
    return sum.map(function (v) { return Math.max(-1, Math.min(1, v)) * speed; });
  };

  PTZPanel.prototype.press = function (source, direction) {
    this.active[source] = direction;
    this.mark();
    this.changed();
  };

  PTZPanel.prototype.release = function (source) {
    if (!(source in this.active)) return;
    delete this.active[source];
    this.mark();
    this.changed();
  };

  PTZPanel.prototype.releaseAll = function () {
    this.active = {};
    this.mark();
    this.changed();
  };

  PTZPanel.prototype.changed = function () {
    var v = this.vector();
    if (!v[0] && !v[1] && !v[2]) {
      if (this.moving) {
        this.moving = false;
        this.stopRenewing();
        this.send({ action: "stop" });
      }
      return;
    }
    this.moving = true;
    this.velocity = v;
    this.sendMove();
    this.startRenewing();
  };

  PTZPanel.prototype.sendMove = function () {
    var v = this.velocity;
    var body = { action: "move" };
    if (this.config.capabilities.continuous_pan_tilt) { body.pan = v[0]; body.tilt = v[1]; }
    if (this.config.capabilities.continuous_zoom) body.zoom = v[2];
    this.send(body);
  };

  PTZPanel.prototype.startRenewing = function () {
    if (this.renewTimer) return;
    var self = this;
    this.renewTimer = setInterval(function () {
      // A renewal behind a slow request would only pile up; the next tick sends it.
      if (self.moving && self.pending === 0) self.sendMove();
    }, this.config.keepalive_ms);
  };

  PTZPanel.prototype.stopRenewing = function () {
    clearInterval(this.renewTimer);
    this.renewTimer = null;
  };

  PTZPanel.prototype.mark = function () {
    var held = {};
    for (var key in this.active) held[this.active[key]] = true;
    this.root.querySelectorAll("[data-ptz-dir]").forEach(function (button) {
      button.classList.toggle("ptz-pressed", !!held[button.getAttribute("data-ptz-dir")]);
    });
  };

  // --- talking to the portal --------------------------------------------------------------------

  PTZPanel.prototype.send = function (body) {
    var self = this;
    this.pending += 1;
    this.chain = this.chain.then(function () {
      return request("POST", self.config.api, body).then(function (reply) { self.answered(reply); });
    }).catch(function () {
      self.say("The portal could not be reached.");
    }).then(function () { self.pending -= 1; });
    return this.chain;
  };

  PTZPanel.prototype.answered = function (reply) {
    if (reply.body.lock) this.showLock(reply.body.lock);
    if (reply.ok) { this.say(""); return; }
    if (reply.status === 409) {
      // Someone else has the camera: stop asking until the next press.
      this.moving = false;
      this.stopRenewing();
    }
    this.say(firstError(reply.body));
  };

  PTZPanel.prototype.poll = function () {
    var self = this;
    request("GET", this.config.api).then(function (reply) {
      if (!reply.ok) { self.say(firstError(reply.body)); return; }
      self.showLock(reply.body.lock);
      self.showStatus(reply.body.status);
      self.learnRemoval(reply.body.capabilities);
      // The worker's last failure (the camera is unreachable, refused a preset, ...), while it lasts.
      if (reply.body.error && !self.moving) { self.say(reply.body.error); self.fromState = true; }
      else if (!reply.body.error && self.fromState) { self.say(""); self.fromState = false; }
    }).catch(function () { /* the next poll tries again */ });
  };

  PTZPanel.prototype.say = function (text) {
    var message = this.el("message");
    message.textContent = text;
    message.hidden = !text;
  };

  PTZPanel.prototype.showLock = function (lock) {
    this.lock = lock;
    var line = this.el("lock");
    line.classList.toggle("ptz-mine", lock.held && lock.mine);
    line.classList.toggle("ptz-theirs", lock.held && !lock.mine);
    if (!lock.held) line.textContent = "Nobody controls this camera.";
    else if (lock.mine) line.textContent = "You control this camera.";
    else {
      var left = lock.expires_in ? " (for up to " + Math.ceil(lock.expires_in) + " s)" : "";
      line.textContent = "Controlled by " + lock.holder + left + ".";
    }
    this.el("takeover").hidden = !(lock.held && !lock.mine && this.config.can_take_over);
  };

  PTZPanel.prototype.showStatus = function (status) {
    var text = "Pan " + fixed(status.pan) + " · Tilt " + fixed(status.tilt) + " · Zoom " + fixed(status.zoom);
    if (status.moving === true) text += " · moving";
    else if (status.moving === false) text += " · idle";
    this.el("position").textContent = status.updated_at ? text : "Position: not read yet";
  };

  PTZPanel.prototype.toggle = function () {
    var collapsed = this.root.classList.toggle("ptz-collapsed");
    var button = this.el("collapse");
    button.textContent = collapsed ? "Show" : "Hide";
    button.setAttribute("aria-expanded", String(!collapsed));
  };

  // --- input -----------------------------------------------------------------------------------------

  PTZPanel.prototype.bindButtons = function () {
    var self = this;
    this.root.querySelectorAll("[data-ptz-dir]").forEach(function (button) {
      var direction = button.getAttribute("data-ptz-dir");
      button.addEventListener("pointerdown", function (event) {
        if (event.button !== 0) return;
        event.preventDefault();
        button.setPointerCapture(event.pointerId);
        self.press("pointer:" + event.pointerId, direction);
      });
      ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (type) {
        button.addEventListener(type, function (event) { self.release("pointer:" + event.pointerId); });
      });
      button.addEventListener("contextmenu", function (event) { event.preventDefault(); });
      // Space or Enter on a focused button holds it, like a mouse button.
      button.addEventListener("keydown", function (event) {
        if (event.key !== " " && event.key !== "Enter") return;
        event.preventDefault();
        if (!event.repeat) self.press("button:" + direction, direction);
      });
      button.addEventListener("keyup", function (event) {
        if (event.key === " " || event.key === "Enter") self.release("button:" + direction);
      });
      button.addEventListener("blur", function () { self.release("button:" + direction); });
    });
  };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  PTZPanel.prototype.bindKeys = function () {
    var self = this;
    document.addEventListener("keydown", function (event) {
      var direction = KEYS[event.key];
      if (!direction || typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!self.root.querySelector('[data-ptz-dir="' + direction + '"]')) return;
      event.preventDefault(); // arrows would scroll the page
      if (!event.repeat) self.press("key:" + event.key, direction);
    });
    document.addEventListener("keyup", function (event) { self.release("key:" + event.key); });
  };

  PTZPanel.prototype.bindPage = function () {
    var self = this;
    window.addEventListener("blur", function () { self.releaseAll(); });
    document.addEventListener("visibilitychange", function () { if (document.hidden) self.releaseAll(); });
    window.addEventListener("pagehide", function () {
      if (self.moving) request("POST", self.config.api, { action: "stop" }, true);
      if (self.lock && self.lock.mine) request("POST", self.config.api, { action: "release" }, true);
    });
  };

  // --- presets ----------------------------------------------------------------------------------------

  PTZPanel.prototype.bindPresets = function () {
    var list = this.el("presets");
    if (!list) return;
    var self = this;
    var form = this.el("preset-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var name = form.elements.name.value.trim();
        if (!name) return;
        request("POST", self.config.presets_api, { name: name }).then(function (reply) {
          if (reply.body.lock) self.showLock(reply.body.lock);
          if (!reply.ok) { self.say(firstError(reply.body)); return; }
          form.reset();
          self.say("");
          self.loadPresets();
        });
      });
    }
    this.loadPresets();
  };

  PTZPanel.prototype.loadPresets = function () {
    var self = this;
    clearTimeout(this.presetTimer);
    request("GET", this.config.presets_api).then(function (reply) {
      if (!reply.ok) return;
      self.renderPresets(reply.body);
      var busy = reply.body.some(function (preset) { return !preset.ready || preset.removing; });
      if (busy) self.presetTimer = setTimeout(function () { self.loadPresets(); }, PRESET_POLL_MS);
    });
  };

  // A camera that said it cannot delete presets: no remove buttons, and a note saying so.
  PTZPanel.prototype.canRemove = function () {
    return this.config.can_manage_presets && this.config.capabilities.remove_presets !== false;
  };

  PTZPanel.prototype.learnRemoval = function (capabilities) {
    if (!capabilities || capabilities.remove_presets === this.config.capabilities.remove_presets) return;
    this.config.capabilities.remove_presets = capabilities.remove_presets;
    if (this.el("presets")) this.loadPresets();
  };

  PTZPanel.prototype.renderPresets = function (presets) {
    var list = this.el("presets");
    var self = this;
    var note = this.el("no-remove");
    if (note) note.hidden = !this.config.can_manage_presets || this.canRemove();
    list.textContent = "";
    if (!presets.length) {
      var empty = document.createElement("li");
      empty.className = "muted small";
      empty.textContent = "No presets yet.";
      list.appendChild(empty);
    }
    presets.forEach(function (preset) {
      var item = document.createElement("li");
      var go = document.createElement("button");
      go.type = "button";
      go.className = "btn btn-small btn-secondary ptz-goto";
      go.textContent = !preset.ready ? preset.name + " (saving…)"
        : preset.removing ? preset.name + " (removing…)" : preset.name;
      go.disabled = !preset.ready || preset.removing;
      go.title = "Go to " + preset.name;
      go.addEventListener("click", function () { self.send({ action: "goto_preset", preset: preset.id }); });
      item.appendChild(go);
      if (self.canRemove() && !preset.removing) item.appendChild(self.removeButton(preset));
      list.appendChild(item);
    });
  };

  PTZPanel.prototype.removeButton = function (preset) {
    var self = this;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-small btn-secondary";
    remove.textContent = "×";
    remove.setAttribute("aria-label", "Remove preset " + preset.name);
    remove.addEventListener("click", function () {
      if (!window.confirm("Remove the preset “" + preset.name + "”?")) return;
      request("DELETE", self.config.presets_api + preset.id + "/").then(function (reply) {
        if (!reply.ok && reply.status !== 404) self.say(firstError(reply.body));
        self.loadPresets();
      });
    });
    return remove;
  };

  onReady(function () {
    var root = document.querySelector("[data-ptz]");
    var config = document.getElementById("ptz-config");
    if (root && config) new PTZPanel(root, JSON.parse(config.textContent)).start();
  });
})();
