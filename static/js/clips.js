// Clips: the "Record clip" control of the live view and the live-updating clip list.
// Without this file both still work: the control is a plain form, Play and Download are links.
(function () {
  "use strict";

  if (window.cctvClipsLoaded) return; // the partial may be on a page more than once
  window.cctvClipsLoaded = true;

  var LABELS = { queued: "Queued", recording: "Recording", ready: "Ready", failed: "Failed", deleted: "Deleted" };
  var BADGES = { queued: "badge-muted", recording: "badge-unknown", ready: "badge-online", failed: "badge-offline",
                 deleted: "badge-muted" };
  var FINAL = { ready: true, failed: true, deleted: true };
  var POLL_MS = 5000;

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function fill(pattern, id) { return pattern.replace("{clip}", id); }

  function fetchJson(url, options) {
    var init = Object.assign({ credentials: "same-origin" }, options || {});
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.detail || "The request failed (" + response.status + ").");
        return body;
      });
    });
  }

  function humanSize(bytes) {
    if (bytes === null || bytes === undefined) return "";
    var units = ["bytes", "KB", "MB", "GB", "TB"], size = bytes, i = 0;
    while (size >= 1024 && i < units.length - 1) { size /= 1024; i += 1; }
    return (i === 0 ? size : size.toFixed(1)) + " " + units[i];
  }

  function durationLabel(seconds) {
    return seconds < 60 || seconds % 60 ? seconds + " s" : seconds / 60 + " min";
  }

  // --- clip status: the event stream, with polling while it is down ----------------

  var listeners = [];
  var watched = {}; // clip id -> clip API URL, for clips not yet ready or failed
  var connected = false;

  function dispatch(event) { listeners.forEach(function (fn) { fn(event); }); }

  function onClipStatus(fn) { listeners.push(fn); connect(); }

  function watch(id, url) { watched[id] = url; }

  function check(id) {
    fetchJson(watched[id]).then(function (clip) {
      if (FINAL[clip.status]) delete watched[id];
      dispatch({ clip: clip.id, status: clip.status, reason: clip.reason, size: clip.size });
    }).catch(function () { /* the next poll tries again */ });
  }

  function resync() { Object.keys(watched).forEach(check); }

  function connect() {
    // The page's one event stream, opened by alerts.js (base.html loads it first).
    var events = window.cctvEvents;
    if (!events || connected) return;
    connected = true;
    events.onOpen(resync);
    events.subscribe(function (data) {
      if (data.type !== "clip.status") return;
      if (FINAL[data.status]) delete watched[data.clip];
      dispatch(data);
    });
  }

  // While the stream is down (or absent), clips in progress are polled instead.
  setInterval(function () { if (!(window.cctvEvents && window.cctvEvents.isOpen())) resync(); }, POLL_MS);

  // --- the "Record clip" control ---------------------------------------------------------

  function link(text, href, attrs) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    Object.keys(attrs || {}).forEach(function (k) { a.setAttribute(k, attrs[k]); });
    return a;
  }

  function setUpRecordForm(form) {
    var config = JSON.parse(form.getAttribute("data-config"));
    var feedback = form.querySelector("[data-clip-feedback]");
    var button = form.querySelector("button[type=submit]");
    var current = null;

    function say(text, isError) {
      feedback.textContent = text;
      feedback.classList.toggle("is-error", !!isError);
    }

    function show(event) {
      var seconds = current.duration;
      if (event.status === "queued") say("Clip of " + durationLabel(seconds) + " queued…");
      else if (event.status === "recording") say("Recording " + durationLabel(seconds) + "…");
      else if (event.status === "failed") say("The clip failed: " + (event.reason || "unknown reason"), true);
      else if (event.status === "deleted") say("The clip was deleted.");
      else if (event.status === "ready") {
        say("Clip ready:");
        var url = fill(config.downloadUrl, current.id);
        feedback.appendChild(link("Play", url + "?inline=1", { target: "_blank", rel: "noopener", "data-clip-ready-play": "" }));
        feedback.appendChild(link("Download", url, { "data-clip-ready-download": "" }));
        feedback.appendChild(link("All clips", config.clipsPage));
      }
      if (FINAL[event.status]) button.disabled = false;
    }

    onClipStatus(function (event) { if (current && event.clip === current.id) show(event); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      say("Requesting…");
      var body = { camera: form.elements.camera.value, duration: parseInt(form.elements.duration.value, 10) };
      fetchJson(config.apiUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
      }).then(function (clip) {
        current = clip;
        watch(clip.id, fill(config.clipApiUrl, clip.id));
        show({ clip: clip.id, status: clip.status, reason: clip.reason });
      }).catch(function (error) {
        say(error.message, true);
        button.disabled = false;
      });
    });
  }

  // --- the clip list -------------------------------------------------------------------------

  function togglePlayer(row, anchor) {
    var next = row.nextElementSibling;
    if (next && next.classList.contains("clip-player-row")) {
      next.remove();
      anchor.setAttribute("aria-expanded", "false");
      return;
    }
    var playerRow = document.createElement("tr");
    playerRow.className = "clip-player-row";
    var cell = document.createElement("td");
    cell.colSpan = row.children.length;
    var video = document.createElement("video");
    video.controls = true;
    video.autoplay = true;
    video.preload = "metadata";
    video.src = anchor.href;
    cell.appendChild(video);
    playerRow.appendChild(cell);
    row.after(playerRow);
    anchor.setAttribute("aria-expanded", "true");
  }

  function updateRow(row, event) {
    row.setAttribute("data-status", event.status);
    var badge = row.querySelector("[data-clip-status]");
    badge.textContent = LABELS[event.status] || event.status;
    badge.className = "badge " + (BADGES[event.status] || "badge-muted");
    row.querySelector("[data-clip-reason]").textContent = event.status === "failed" ? event.reason || "" : "";
    if (event.size !== undefined) row.querySelector("[data-clip-size]").textContent = humanSize(event.size);
    var ready = row.querySelector("[data-when-ready]");
    if (ready) ready.hidden = event.status !== "ready";
  }

  function setUpList(table) {
    var config = JSON.parse(table.getAttribute("data-config"));
    var rows = {};
    table.querySelectorAll("tr[data-clip]").forEach(function (row) {
      var id = row.getAttribute("data-clip");
      rows[id] = row;
      if (!FINAL[row.getAttribute("data-status")]) watch(id, fill(config.clipApiUrl, id));
    });
    table.addEventListener("click", function (event) {
      var anchor = event.target.closest("[data-clip-play]");
      if (!anchor) return;
      event.preventDefault();
      togglePlayer(anchor.closest("tr"), anchor);
    });
    onClipStatus(function (event) {
      var row = rows[event.clip];
      if (!row) {
        var notice = document.querySelector("[data-clips-new]");
        if (notice && event.status === "queued") notice.hidden = false;
        return;
      }
      updateRow(row, event);
      if (event.status === "ready" && event.size === undefined) {
        fetchJson(fill(config.clipApiUrl, event.clip)).then(function (clip) {
          updateRow(row, { status: clip.status, reason: clip.reason, size: clip.size });
        }).catch(function () { /* the size shows after a reload */ });
      }
    });
  }

  onReady(function () {
    document.querySelectorAll("form[data-clip-record]").forEach(setUpRecordForm);
    document.querySelectorAll("[data-clip-list]").forEach(setUpList);
  });
})();
