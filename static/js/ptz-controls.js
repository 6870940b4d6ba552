// PTZ controls of the live view: press and hold to move (mouse, touch, arrow keys), zoom, speed,
// presets, and who controls the camera. Everything goes through the portal's API
// (/api/v1/cameras/<id>/ptz/); a worker then speaks ONVIF to the camera.
//
// A held move is sent on press, renewed while held (the server stops a camera whose move is not
// renewed in time), and ended with a stop on release, on blur and when the page is hidden.
// Commands go out one at a time, in order, so a quick tap can never deliver its stop before its move.

import { readJson } from "./config.js";
import { firstError, request } from "./http.js";
import { KEYS, isStill, lockText, moveCommand, positionText, presetLabel, velocity } from "./ptz-model.js";

const POLL_MS = 1000;
const POLL_MOVING_MS = 400;
const PRESET_POLL_MS = 2000;
const CANNOT = "The camera could not do that.";

const typing = (target) => target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

class PTZPanel {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.active = {};        // what is held now: "key:ArrowUp" or "pointer:3" -> direction
    this.moving = false;     // a move was sent and not stopped
    this.velocity = null;
    this.pending = 0;        // commands in flight
    this.chain = Promise.resolve();
    this.renewTimer = null;
    this.presetTimer = null;
    this.lock = null;
    this.speed = 0.5;
    this.fromState = false;  // the message shown is the worker's last failure
  }

  el(name) { return this.root.querySelector(`[data-ptz-${name}]`); }

  start() {
    this.bindButtons();
    this.bindKeys();
    this.bindPage();
    this.bindPresets();
    const speed = this.el("speed");
    if (speed) {
      this.speed = parseFloat(speed.value);
      speed.addEventListener("input", () => {
        this.speed = parseFloat(speed.value);
        this.changed();
      });
    }
    const home = this.el("home");
    if (home) home.addEventListener("click", () => this.send({ action: "home" }));
    this.el("takeover").addEventListener("click", () => this.send({ action: "stop", takeover: true }));
    this.el("collapse").addEventListener("click", () => this.toggle());
    this.pollLoop();
  }

  pollLoop() {
    if (!document.hidden) this.poll();
    // Faster while moving, so the position follows the hold.
    setTimeout(() => this.pollLoop(), this.moving ? POLL_MOVING_MS : POLL_MS);
  }

  // --- holding ---------------------------------------------------------------------------------

  press(source, direction) {
    this.active[source] = direction;
    this.mark();
    this.changed();
  }

  release(source) {
    if (!(source in this.active)) return;
    delete this.active[source];
    this.mark();
    this.changed();
  }

  releaseAll() {
    this.active = {};
    this.mark();
    this.changed();
  }

  changed() {
    const v = velocity(this.active, this.speed);
    if (isStill(v)) {
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
  }

  sendMove() {
    this.send(moveCommand(this.velocity, this.config.capabilities));
  }

  startRenewing() {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => {
      // A renewal behind a slow request would only pile up; the next tick sends it.
      if (this.moving && this.pending === 0) this.sendMove();
    }, this.config.keepalive_ms);
  }

  stopRenewing() {
    clearInterval(this.renewTimer);
    this.renewTimer = null;
  }

  mark() {
    const held = new Set(Object.values(this.active));
    this.root.querySelectorAll("[data-ptz-dir]").forEach((button) => {
      button.classList.toggle("ptz-pressed", held.has(button.getAttribute("data-ptz-dir")));
    });
  }

  // --- talking to the portal -----------------------------------------------------------------------

  send(body) {
    this.pending += 1;
    this.chain = this.chain.then(async () => {
      try {
        this.answered(await request("POST", this.config.api, { body }));
      } catch {
        this.say("The portal could not be reached.");
      } finally {
        this.pending -= 1;
      }
    });
    return this.chain;
  }

  answered(reply) {
    if (reply.body.lock) this.showLock(reply.body.lock);
    if (reply.ok) {
      this.say("");
      return;
    }
    if (reply.status === 409) {
      // Someone else has the camera: stop asking until the next press.
      this.moving = false;
      this.stopRenewing();
    }
    this.say(firstError(reply.body, CANNOT));
  }

  async poll() {
    try {
      this.showState(await request("GET", this.config.api));
    } catch {
      // the next poll tries again
    }
  }

  showState(reply) {
    if (!reply.ok) {
      this.say(firstError(reply.body, CANNOT));
      return;
    }
    this.showLock(reply.body.lock);
    this.el("position").textContent = positionText(reply.body.status);
    this.learnRemoval(reply.body.capabilities);
    // The worker's last failure (the camera is unreachable, refused a preset, ...), while it lasts.
    if (reply.body.error && !this.moving) {
      this.say(reply.body.error);
      this.fromState = true;
    } else if (!reply.body.error && this.fromState) {
      this.say("");
      this.fromState = false;
    }
  }

  say(text) {
    const message = this.el("message");
    message.textContent = text;
    message.hidden = !text;
  }

  showLock(lock) {
    this.lock = lock;
    const line = this.el("lock");
    line.classList.toggle("ptz-mine", lock.held && lock.mine);
    line.classList.toggle("ptz-theirs", lock.held && !lock.mine);
    line.textContent = lockText(lock);
    this.el("takeover").hidden = !(lock.held && !lock.mine && this.config.can_take_over);
  }

  toggle() {
    const collapsed = this.root.classList.toggle("ptz-collapsed");
    const button = this.el("collapse");
    button.textContent = collapsed ? "Show" : "Hide";
    button.setAttribute("aria-expanded", String(!collapsed));
  }

  // --- input -----------------------------------------------------------------------------------------

  bindButtons() {
    this.root.querySelectorAll("[data-ptz-dir]").forEach((button) => {
      const direction = button.getAttribute("data-ptz-dir");
      button.addEventListener("pointerdown", (event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        button.setPointerCapture(event.pointerId);
        this.press(`pointer:${event.pointerId}`, direction);
      });
      ["pointerup", "pointercancel", "lostpointercapture"].forEach((type) => {
        button.addEventListener(type, (event) => this.release(`pointer:${event.pointerId}`));
      });
      button.addEventListener("contextmenu", (event) => event.preventDefault());
      // Space or Enter on a focused button holds it, like a mouse button.
      button.addEventListener("keydown", (event) => {
        if (event.key !== " " && event.key !== "Enter") return;
        event.preventDefault();
        if (!event.repeat) this.press(`button:${direction}`, direction);
      });
      button.addEventListener("keyup", (event) => {
        if (event.key === " " || event.key === "Enter") this.release(`button:${direction}`);
      });
      button.addEventListener("blur", () => this.release(`button:${direction}`));
    });
  }

  bindKeys() {
    document.addEventListener("keydown", (event) => {
      const direction = KEYS[event.key];
      if (!direction || typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!this.root.querySelector(`[data-ptz-dir="${direction}"]`)) return;
      event.preventDefault(); // arrows would scroll the page
      if (!event.repeat) this.press(`key:${event.key}`, direction);
    });
    document.addEventListener("keyup", (event) => this.release(`key:${event.key}`));
  }

  bindPage() {
    window.addEventListener("blur", () => this.releaseAll());
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) this.releaseAll();
    });
    window.addEventListener("pagehide", () => {
      if (this.moving) request("POST", this.config.api, { body: { action: "stop" }, keepalive: true });
      if (this.lock && this.lock.mine) request("POST", this.config.api, { body: { action: "release" }, keepalive: true });
    });
  }

  // --- presets ----------------------------------------------------------------------------------------

  bindPresets() {
    if (!this.el("presets")) return;
    const form = this.el("preset-form");
    if (form) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const name = form.elements.name.value.trim();
        if (!name) return;
        const reply = await request("POST", this.config.presets_api, { body: { name } });
        if (reply.body.lock) this.showLock(reply.body.lock);
        if (!reply.ok) {
          this.say(firstError(reply.body, CANNOT));
          return;
        }
        form.reset();
        this.say("");
        this.loadPresets();
      });
    }
    this.loadPresets();
  }

  async loadPresets() {
    clearTimeout(this.presetTimer);
    const reply = await request("GET", this.config.presets_api);
    if (!reply.ok) return;
    this.renderPresets(reply.body);
    if (reply.body.some((preset) => !preset.ready || preset.removing)) {
      this.presetTimer = setTimeout(() => this.loadPresets(), PRESET_POLL_MS);
    }
  }

  // A camera that said it cannot delete presets: no remove buttons, and a note saying so.
  canRemove() {
    return this.config.can_manage_presets && this.config.capabilities.remove_presets !== false;
  }

  learnRemoval(capabilities) {
    if (!capabilities || capabilities.remove_presets === this.config.capabilities.remove_presets) return;
    this.config.capabilities.remove_presets = capabilities.remove_presets;
    if (this.el("presets")) this.loadPresets();
  }

  renderPresets(presets) {
    const list = this.el("presets");
    const note = this.el("no-remove");
    if (note) note.hidden = !this.config.can_manage_presets || this.canRemove();
    list.textContent = "";
    if (!presets.length) {
      const empty = document.createElement("li");
      empty.className = "muted small";
      empty.textContent = "No presets yet.";
      list.appendChild(empty);
    }
    presets.forEach((preset) => {
      const item = document.createElement("li");
      const go = document.createElement("button");
      go.type = "button";
      go.className = "btn btn-small btn-secondary ptz-goto";
      go.textContent = presetLabel(preset);
      go.disabled = !preset.ready || preset.removing;
      go.title = `Go to ${preset.name}`;
      go.addEventListener("click", () => this.send({ action: "goto_preset", preset: preset.id }));
      item.appendChild(go);
      if (this.canRemove() && !preset.removing) item.appendChild(this.removeButton(preset));
      list.appendChild(item);
    });
  }

  removeButton(preset) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-small btn-secondary";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove preset ${preset.name}`);
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Remove the preset “${preset.name}”?`)) return;
      const reply = await request("DELETE", `${this.config.presets_api}${preset.id}/`);
      if (!reply.ok && reply.status !== 404) this.say(firstError(reply.body, CANNOT));
      this.loadPresets();
    });
    return remove;
  }
}

const root = document.querySelector("[data-ptz]");
if (root && document.getElementById("ptz-config")) new PTZPanel(root, readJson("ptz-config")).start();
