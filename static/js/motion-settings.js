// Motion settings page: the sensitivity read-out and the mask editor.
// Masks are polygons of [x, y] points in 0..1 of the picture, kept in the hidden "masks" input
// that the form posts; the server checks them. Without this file saved masks are kept as they are.
(function () {
  "use strict";

  var MIN_POINTS = 3;
  var MAX_POINTS = 64;
  var MAX_MASKS = 16;
  var SAME_POINT_PX = 6; // the two clicks of a double-click land here: one point, not two

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function setUpRange(form) {
    var range = form.querySelector('input[type="range"]');
    var output = form.querySelector("[data-range-output]");
    if (!range || !output) return;
    range.addEventListener("input", function () { output.textContent = range.value; });
  }

  function readMasks(input) {
    try {
      var value = JSON.parse(input.value || "[]");
      return Array.isArray(value) ? value.filter(Array.isArray) : [];
    } catch (e) {
      return [];
    }
  }

  function MaskEditor(root, input) {
    this.root = root;
    this.input = input;
    this.stage = root.querySelector("[data-mask-stage]");
    this.image = root.querySelector("[data-mask-image]");
    this.canvas = root.querySelector("[data-mask-canvas]");
    this.status = root.querySelector("[data-mask-status]");
    this.masks = readMasks(input);
    this.current = [];
    this.bind();
    this.watchImage();
    this.resize();
    this.say(this.masks.length ? this.masks.length + " mask(s) saved." : "No masks: motion anywhere in the picture counts.");
  }

  MaskEditor.prototype.say = function (text) { this.status.textContent = text; };

  MaskEditor.prototype.save = function () { this.input.value = JSON.stringify(this.masks); };

  MaskEditor.prototype.watchImage = function () {
    var self = this;
    var blank = function () {
      self.stage.classList.add("is-blank");
      self.root.querySelector("[data-mask-fallback]").hidden = false;
      self.resize();
    };
    this.image.addEventListener("load", function () { self.resize(); });
    this.image.addEventListener("error", blank);
    if (this.image.complete && this.image.naturalWidth === 0 && this.image.getAttribute("src")) {
      // Already failed before this script ran.
      blank();
    }
    if (window.ResizeObserver) new ResizeObserver(function () { self.resize(); }).observe(this.stage);
    else window.addEventListener("resize", function () { self.resize(); });
  };

  MaskEditor.prototype.resize = function () {
    var box = this.canvas.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(box.width * ratio));
    this.canvas.height = Math.max(1, Math.round(box.height * ratio));
    this.draw();
  };

  MaskEditor.prototype.pointAt = function (event) {
    var box = this.canvas.getBoundingClientRect();
    var clamp = function (v) { return Math.min(1, Math.max(0, v)); };
    return [
      Math.round(clamp((event.clientX - box.left) / box.width) * 10000) / 10000,
      Math.round(clamp((event.clientY - box.top) / box.height) * 10000) / 10000,
    ];
  };

  MaskEditor.prototype.nearLast = function (point) {
    var last = this.current[this.current.length - 1];
    if (!last) return false;
    var box = this.canvas.getBoundingClientRect();
    var dx = (point[0] - last[0]) * box.width, dy = (point[1] - last[1]) * box.height;
    return Math.sqrt(dx * dx + dy * dy) < SAME_POINT_PX;
  };

  MaskEditor.prototype.addPoint = function (point) {
    if (this.masks.length >= MAX_MASKS) {
      this.say("At most " + MAX_MASKS + " masks. Clear some to draw more.");
      return;
    }
    if (this.nearLast(point)) return;
    if (this.current.length >= MAX_POINTS) {
      this.say("A mask has at most " + MAX_POINTS + " points: close it.");
      return;
    }
    this.current.push(point);
    this.say("Point " + this.current.length + " added." + (this.current.length >= MIN_POINTS ? " Double-click or press Close polygon to finish." : ""));
    this.draw();
  };

  MaskEditor.prototype.close = function () {
    if (this.current.length < MIN_POINTS) {
      this.say("A mask needs at least " + MIN_POINTS + " points; it has " + this.current.length + ".");
      return;
    }
    this.masks.push(this.current);
    this.current = [];
    this.save();
    this.say("Mask " + this.masks.length + " closed. Save to keep it.");
    this.draw();
  };

  MaskEditor.prototype.undo = function () {
    if (!this.current.length && this.masks.length) {
      this.current = this.masks.pop(); // reopen the last mask
      this.save();
    }
    if (this.current.length) {
      this.current.pop();
      this.say(this.current.length ? this.current.length + " point(s) in the open mask." : "Open mask removed.");
    } else {
      this.say("Nothing to undo.");
    }
    this.draw();
  };

  MaskEditor.prototype.clear = function () {
    this.masks = [];
    this.current = [];
    this.save();
    this.say("All masks cleared. Save to keep this.");
    this.draw();
  };

  MaskEditor.prototype.path = function (ctx, points, w, h) {
    ctx.beginPath();
    points.forEach(function (p, i) {
      if (i === 0) ctx.moveTo(p[0] * w, p[1] * h);
      else ctx.lineTo(p[0] * w, p[1] * h);
    });
  };

  MaskEditor.prototype.draw = function () {
    var ctx = this.canvas.getContext("2d");
    var w = this.canvas.width, h = this.canvas.height, ratio = window.devicePixelRatio || 1;
    var self = this;
    ctx.clearRect(0, 0, w, h);
    ctx.lineWidth = 2 * ratio;
    this.masks.forEach(function (mask) {
      self.path(ctx, mask, w, h);
      ctx.closePath();
      ctx.fillStyle = "rgba(214, 69, 69, 0.35)";
      ctx.fill();
      ctx.strokeStyle = "rgba(255, 120, 120, 0.95)";
      ctx.stroke();
    });
    if (this.current.length) {
      this.path(ctx, this.current, w, h);
      ctx.strokeStyle = "rgba(110, 160, 255, 0.95)";
      ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#6ea0ff";
      this.current.forEach(function (p) {
        ctx.beginPath();
        ctx.arc(p[0] * w, p[1] * h, 4 * ratio, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  };

  MaskEditor.prototype.bind = function () {
    var self = this;
    this.canvas.addEventListener("click", function (event) { self.addPoint(self.pointAt(event)); });
    this.canvas.addEventListener("dblclick", function (event) {
      event.preventDefault();
      self.close();
    });
    this.root.querySelector("[data-mask-close]").addEventListener("click", function () { self.close(); });
    this.root.querySelector("[data-mask-undo]").addEventListener("click", function () { self.undo(); });
    this.root.querySelector("[data-mask-clear]").addEventListener("click", function () { self.clear(); });
  };

  onReady(function () {
    var form = document.querySelector("form[data-motion-form]");
    if (!form) return;
    setUpRange(form);
    var root = form.querySelector("[data-mask-editor]");
    var input = form.querySelector('input[name="masks"]');
    if (!root || !input) return;
    var editor = new MaskEditor(root, input);
    form.addEventListener("submit", function () {
      // An open polygon is sent rather than silently dropped: too few points get the server's message.
      if (editor.current.length) {
        editor.masks.push(editor.current);
        editor.current = [];
        editor.save();
      }
    });
  });
})();
