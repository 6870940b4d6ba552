// Live motion alerts on every page: toasts, the "Alerts" badge, and live rows on the alert list.
// It opens the user's event stream (/ws/events/) once per page and shares it as window.cctvEvents
// for other scripts (clips.js, live-grid.js): subscribe(fn) gets every message, onOpen(fn) runs on
// every (re)connection and at once if the stream is already open, onReconnect(fn) on reconnections
// only, isOpen() tells whether messages flow now. Event data is only ever set as text.
(function () {
  "use strict";

  if (window.cctvEvents) return;

  var TOAST_MS = 8000;
  var MAX_TOASTS = 4;
  var CLOSE_UNAUTHENTICATED = 4401;

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // --- the shared event stream, reconnecting with backoff --------------------------------

  var listeners = [];
  var reconnectListeners = [];
  var openListeners = [];
  var socket = null;
  var open = false;
  var retryMs = 1000;
  var everOpened = false;

  function connect() {
    if (socket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/events/");
    socket.onopen = function () {
      retryMs = 1000;
      open = true;
      if (everOpened) reconnectListeners.forEach(function (fn) { fn(); });
      everOpened = true;
      openListeners.forEach(function (fn) { fn(); });
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (!data || typeof data.type !== "string") return;
      listeners.forEach(function (fn) {
        try { fn(data); } catch (e) { if (window.console) console.error(e); }
      });
    };
    socket.onclose = function (event) {
      socket = null;
      open = false;
      if (event.code === CLOSE_UNAUTHENTICATED) return; // signed out: a reload shows the login page
      var wait = retryMs + Math.floor(Math.random() * 500);
      retryMs = Math.min(retryMs * 2, 30000);
      setTimeout(connect, wait);
    };
  }

  window.cctvEvents = {
    subscribe: function (fn) { listeners.push(fn); connect(); },
    onReconnect: function (fn) { reconnectListeners.push(fn); },
    onOpen: function (fn) { openListeners.push(fn); if (open) fn(); },
    isOpen: function () { return open; },
  };

  // --- helpers -----------------------------------------------------------------------------

  function localPath(value) {
    // Links come from the server, but only same-site paths are ever followed.
    return typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/" ? value : "";
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    // The same shape as the server's rows ("2026-03-01 10:00:00 CET"), in the browser's time zone.
    var parts = {};
    new Intl.DateTimeFormat([], {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23", timeZoneName: "short",
    }).formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + ":" +
      parts.second + " " + (parts.timeZoneName || "");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- the badge ---------------------------------------------------------------------------

  var counted = {}; // ids of events known to be in the badge count
  var resyncTimer = null;

  function badge() { return document.querySelector("[data-alert-badge]"); }

  function setCount(count) {
    var node = badge();
    if (!node) return;
    count = Math.max(0, count);
    node.setAttribute("data-count", String(count));
    node.querySelector("[data-alert-badge-number]").textContent = count > 99 ? "99+" : String(count);
    node.hidden = count === 0;
  }

  function currentCount() {
    var node = badge();
    return node ? parseInt(node.getAttribute("data-count"), 10) || 0 : 0;
  }

  function resyncBadge() {
    clearTimeout(resyncTimer);
    resyncTimer = setTimeout(function () {
      var link = document.querySelector("[data-alerts-link]");
      if (!link) return;
      fetch(link.getAttribute("data-badge-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body && typeof body.count === "number") setCount(body.count); })
        .catch(function () { /* the next event or reconnect tries again */ });
    }, 800);
  }

  // --- toasts --------------------------------------------------------------------------------

  function dismiss(toast) {
    clearTimeout(toast._timer);
    if (toast.parentNode) toast.parentNode.removeChild(toast);
  }

  function schedule(toast) {
    clearTimeout(toast._timer);
    toast._timer = setTimeout(function () { dismiss(toast); }, TOAST_MS);
  }

  function showToast(alert) {
    var region = document.querySelector("[data-alert-toasts]");
    if (!region) return;
    var toast = el("div", "toast");
    toast.setAttribute("role", "group");
    toast.setAttribute("aria-label", "Motion alert");
    var snapshot = localPath(alert.snapshot_url);
    if (snapshot) {
      var img = el("img", "toast-thumb");
      img.alt = "";
      img.src = snapshot;
      toast.appendChild(img);
    }
    var body = el("div", "toast-body");
    body.appendChild(el("p", "toast-title", "Motion: " + (alert.camera_name || "camera")));
    var meta = [alert.site_name, formatTime(alert.started_at)].filter(Boolean).join(" · ");
    body.appendChild(el("p", "toast-meta", meta));
    var url = localPath(alert.url);
    if (url) {
      var link = el("a", "", "View alert");
      link.href = url;
      body.appendChild(link);
    }
    toast.appendChild(body);
    var close = el("button", "toast-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss alert");
    close.addEventListener("click", function () { dismiss(toast); });
    toast.appendChild(close);
    // Keep it while the pointer or keyboard focus is on it.
    toast.addEventListener("mouseenter", function () { clearTimeout(toast._timer); });
    toast.addEventListener("mouseleave", function () { schedule(toast); });
    toast.addEventListener("focusin", function () { clearTimeout(toast._timer); });
    toast.addEventListener("focusout", function () { schedule(toast); });
    region.appendChild(toast);
    while (region.children.length > MAX_TOASTS) dismiss(region.firstElementChild);
    schedule(toast);
  }

  // --- the alert list page --------------------------------------------------------------------

  function AlertList(table) {
    this.table = table;
    this.config = JSON.parse(table.getAttribute("data-config"));
    this.template = document.querySelector("template[data-alert-row-template]");
  }

  AlertList.prototype.row = function (id) {
    return this.table.querySelector('tr[data-event="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]');
  };

  AlertList.prototype.add = function (alert) {
    if (!this.config.live) {
      var notice = document.querySelector("[data-alerts-new]");
      if (notice) notice.hidden = false;
      return;
    }
    if (!this.template || this.row(alert.event)) return;
    var row = this.template.content.firstElementChild.cloneNode(true);
    function slot(name) { return row.querySelector('[data-slot="' + name + '"]'); }
    row.setAttribute("data-event", alert.event);
    row.setAttribute("data-started", alert.started_at);
    row.setAttribute("data-counted", "");
    row.id = "event-" + alert.event;
    var snapshot = localPath(alert.snapshot_url);
    if (snapshot) {
      slot("snapshot-link").href = snapshot;
      slot("snapshot").src = snapshot;
      slot("snapshot").alt = "Snapshot of motion on " + (alert.camera_name || "camera");
    } else {
      slot("snapshot-link").remove();
      slot("no-snapshot").hidden = false;
    }
    slot("camera").textContent = alert.camera_name || "";
    slot("site").textContent = alert.site_name || "";
    slot("started").textContent = formatTime(alert.started_at);
    slot("started").setAttribute("datetime", alert.started_at || "");
    slot("peak").textContent = (Number(alert.peak_score || 0) * 100).toFixed(1) + " %";
    var canAck = this.config.ackCameras.indexOf(alert.camera) !== -1;
    if (canAck) {
      var form = slot("ack-form");
      form.action = this.config.ackUrl.replace("{event}", encodeURIComponent(alert.event));
      var note = slot("note");
      note.id = "note-" + alert.event;
      slot("note-label").setAttribute("for", note.id);
      slot("not-acknowledged").remove();
    } else {
      slot("ack-form").remove();
    }
    row.classList.add("is-new");
    this.table.tBodies[0].insertBefore(row, this.table.tBodies[0].firstChild);
    var wrap = document.querySelector("[data-alerts-table]");
    if (wrap) wrap.hidden = false;
    var empty = document.querySelector("[data-alerts-empty]");
    if (empty) empty.hidden = true;
  };

  AlertList.prototype.ended = function (message) {
    var row = this.row(message.event);
    if (!row) return;
    var seconds = (new Date(message.ended_at) - new Date(row.getAttribute("data-started"))) / 1000;
    if (isNaN(seconds)) return;
    seconds = Math.max(0, Math.round(seconds));
    var label = seconds < 60 ? seconds + " s"
      : seconds < 3600 ? Math.floor(seconds / 60) + " min" + (seconds % 60 ? " " + (seconds % 60) + " s" : "")
      : Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
    row.querySelector("[data-alert-duration]").textContent = label;
  };

  AlertList.prototype.acknowledged = function (message) {
    var row = this.row(message.event);
    if (!row) return;
    var cell = row.querySelector("[data-alert-ack]");
    while (cell.firstChild) cell.removeChild(cell.firstChild);
    cell.appendChild(el("span", "badge badge-online", "Acknowledged"));
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(el("span", "small", "by " + (message.by || "someone") + ", " + formatTime(message.at)));
    row.removeAttribute("data-counted");
  };

  // --- wiring -------------------------------------------------------------------------------------

  onReady(function () {
    if (!badge() && !document.querySelector("[data-alert-toasts]")) return;
    var table = document.querySelector("[data-alert-list]");
    var list = table ? new AlertList(table) : null;
    if (table) {
      table.querySelectorAll("tr[data-counted]").forEach(function (row) {
        counted[row.getAttribute("data-event")] = true;
      });
      var current = table.querySelector("tr.is-highlighted");
      if (current) current.scrollIntoView({ block: "center" });
    }

    window.cctvEvents.onReconnect(resyncBadge);
    window.cctvEvents.subscribe(function (message) {
      if (message.type === "motion.alert" && message.event) {
        if (!counted[message.event]) {
          counted[message.event] = true;
          setCount(currentCount() + 1);
        }
        showToast(message);
        if (list) list.add(message);
      } else if (message.type === "motion.ended" && list) {
        list.ended(message);
      } else if (message.type === "motion.acknowledged" && message.event) {
        if (counted[message.event]) {
          delete counted[message.event];
          setCount(currentCount() - 1);
        } else {
          resyncBadge(); // acknowledged an alert this page never counted: ask the server
        }
        if (list) list.acknowledged(message);
      }
    });
  });
})();
