// Motion settings page: the sensitivity read-out and the mask editor.
// Masks are polygons of [x, y] points in 0..1 of the picture, kept in the hidden "masks" input
// that the form posts; the server checks them. Without this file saved masks are kept as they are.

import { MAX_MASKS, MAX_POINTS, MIN_POINTS, pointIn, readMasks, samePoint } from "./masks.js";

const setUpRange = (form) => {
  const range = form.querySelector('input[type="range"]');
  const output = form.querySelector("[data-range-output]");
  if (!range || !output) return;
  range.addEventListener("input", () => { output.textContent = range.value; });
};

class MaskEditor {
  constructor(root, input) {
    this.root = root;
    this.input = input;
    this.stage = root.querySelector("[data-mask-stage]");
    this.image = root.querySelector("[data-mask-image]");
    this.canvas = root.querySelector("[data-mask-canvas]");
    this.status = root.querySelector("[data-mask-status]");
    this.masks = readMasks(input.value);
    this.current = [];
    this.bind();
    this.watchImage();
    this.resize();
    this.say(this.masks.length ? `${this.masks.length} mask(s) saved.` : "No masks: motion anywhere in the picture counts.");
  }

  say(text) { this.status.textContent = text; }

  save() { this.input.value = JSON.stringify(this.masks); }

  watchImage() {
    const blank = () => {
      this.stage.classList.add("is-blank");
      this.root.querySelector("[data-mask-fallback]").hidden = false;
      this.resize();
    };
    this.image.addEventListener("load", () => this.resize());
    this.image.addEventListener("error", blank);
    if (this.image.complete && this.image.naturalWidth === 0 && this.image.getAttribute("src")) {
      blank(); // already failed before this script ran
    }
    if (window.ResizeObserver) new ResizeObserver(() => this.resize()).observe(this.stage);
    else window.addEventListener("resize", () => this.resize());
  }

  resize() {
    const box = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(box.width * ratio));
    this.canvas.height = Math.max(1, Math.round(box.height * ratio));
    this.draw();
  }

  pointAt(event) {
    return pointIn(this.canvas.getBoundingClientRect(), event.clientX, event.clientY);
  }

  addPoint(point) {
    if (this.masks.length >= MAX_MASKS) {
      this.say(`At most ${MAX_MASKS} masks. Clear some to draw more.`);
      return;
    }
    if (samePoint(this.current[this.current.length - 1], point, this.canvas.getBoundingClientRect())) return;
    if (this.current.length >= MAX_POINTS) {
      this.say(`A mask has at most ${MAX_POINTS} points: close it.`);
      return;
    }
    this.current.push(point);
    const hint = this.current.length >= MIN_POINTS ? " Double-click or press Close polygon to finish." : "";
    this.say(`Point ${this.current.length} added.${hint}`);
    this.draw();
  }

  close() {
    if (this.current.length < MIN_POINTS) {
      this.say(`A mask needs at least ${MIN_POINTS} points; it has ${this.current.length}.`);
      return;
    }
    this.masks.push(this.current);
    this.current = [];
    this.save();
    this.say(`Mask ${this.masks.length} closed. Save to keep it.`);
    this.draw();
  }

  undo() {
    if (!this.current.length && this.masks.length) {
      this.current = this.masks.pop(); // reopen the last mask
      this.save();
    }
    if (this.current.length) {
      this.current.pop();
      this.say(this.current.length ? `${this.current.length} point(s) in the open mask.` : "Open mask removed.");
    } else {
      this.say("Nothing to undo.");
    }
    this.draw();
  }

  clear() {
    this.masks = [];
    this.current = [];
    this.save();
    this.say("All masks cleared. Save to keep this.");
    this.draw();
  }

  // Sends an open polygon rather than dropping it: too few points get the server's message.
  flush() {
    if (!this.current.length) return;
    this.masks.push(this.current);
    this.current = [];
    this.save();
  }

  path(ctx, points, w, h) {
    ctx.beginPath();
    points.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(x * w, y * h);
      else ctx.lineTo(x * w, y * h);
    });
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const { width: w, height: h } = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    ctx.lineWidth = 2 * ratio;
    this.masks.forEach((mask) => {
      this.path(ctx, mask, w, h);
      ctx.closePath();
      ctx.fillStyle = "rgba(214, 69, 69, 0.35)";
      ctx.fill();
      ctx.strokeStyle = "rgba(255, 120, 120, 0.95)";
      ctx.stroke();
    });
    if (!this.current.length) return;
    this.path(ctx, this.current, w, h);
    ctx.strokeStyle = "rgba(110, 160, 255, 0.95)";
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#6ea0ff";
    this.current.forEach(([x, y]) => {
      ctx.beginPath();
      ctx.arc(x * w, y * h, 4 * ratio, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  bind() {
    this.canvas.addEventListener("click", (event) => this.addPoint(this.pointAt(event)));
    this.canvas.addEventListener("dblclick", (event) => {
      event.preventDefault();
      this.close();
    });
    this.root.querySelector("[data-mask-close]").addEventListener("click", () => this.close());
    this.root.querySelector("[data-mask-undo]").addEventListener("click", () => this.undo());
    this.root.querySelector("[data-mask-clear]").addEventListener("click", () => this.clear());
  }
}

const form = document.querySelector("form[data-motion-form]");
if (form) {
  setUpRange(form);
  const root = form.querySelector("[data-mask-editor]");
  const input = form.querySelector('input[name="masks"]');
  if (root && input) {
    const editor = new MaskEditor(root, input);
    form.addEventListener("submit", () => editor.flush());
  }
}
