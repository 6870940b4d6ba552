// The live pages around the players: the large view of one camera, the
// fullscreen buttons, confirmations, and camera status pushed from the
// portal's event stream (/ws/events/).
(function () {
  "use strict";

  var STATUS_LABELS = { online: "Camera online", offline: "Camera offline", unknown: "Camera status unknown" };

  function config() {
    var node = document.getElementById("live-config");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (err) {
      return {};
    }
  }

  // --- large view -----------------------------------------------------------

  function setUpOverlay() {
    var overlay = document.querySelector(".live-overlay");
    var grid = document.querySelector(".live-grid");
    if (!overlay || !grid) return;
    var body = overlay.querySelector(".live-overlay-body");
    var title = overlay.querySelector(".live-overlay-title");
    var pageLink = overlay.querySelector("[data-overlay-page]");
    var pageUrl = config().cameraPageUrl || "";
    var opener = null;

    function open(tilePlayer) {
      var camera = tilePlayer.getAttribute("camera");
      var label = tilePlayer.getAttribute("label") || "";
      // Its own player on the main stream; the tile keeps its sub stream, so
      // closing the large view shows the grid without a reconnect.
      var player = document.createElement("cctv-player");
      player.setAttribute("camera", camera);
      player.setAttribute("variant", "main");
      player.setAttribute("label", label);
      if (tilePlayer.hasAttribute("force-mse")) player.setAttribute("force-mse", "");
      body.replaceChildren(player);
      title.textContent = label;
      if (pageLink) pageLink.href = pageUrl.replace("{camera}", encodeURIComponent(camera));
      opener = tilePlayer;
      overlay.hidden = false;
      document.body.classList.add("live-overlay-open");
      overlay.querySelector("[data-overlay-close]").focus();
    }

    function close() {
      if (overlay.hidden) return;
      if (document.fullscreenElement && overlay.contains(document.fullscreenElement)) {
        document.exitFullscreen().catch(function () {});
      }
      body.replaceChildren();  // the player's disconnectedCallback closes its session
      overlay.hidden = true;
      document.body.classList.remove("live-overlay-open");
      if (opener) opener.focus();
      opener = null;
    }

    grid.addEventListener("click", function (event) {
      var player = event.target.closest("cctv-player");
      if (player) open(player);
    });
    grid.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      var player = event.target.closest("cctv-player");
      if (!player) return;
      event.preventDefault();
      open(player);
    });
    overlay.querySelector("[data-overlay-close]").addEventListener("click", close);
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) close();  // a click on the backdrop
    });
    document.addEventListener("keydown", function (event) {
      // In fullscreen, Esc leaves fullscreen first (the browser's own rule).
      if (event.key === "Escape" && !document.fullscreenElement) close();
    });
  }

  // --- fullscreen -------------------------------------------------------------

  function setUpFullscreen() {
    var buttons = document.querySelectorAll("[data-fullscreen]");
    if (!buttons.length) return;
    if (!document.fullscreenEnabled) {
      buttons.forEach(function (button) { button.hidden = true; });
      return;
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-fullscreen"));
        if (!target) return;
        if (document.fullscreenElement === target) document.exitFullscreen().catch(function () {});
        else target.requestFullscreen().catch(function (err) { console.warn("fullscreen refused", err); });
      });
    });
    document.addEventListener("fullscreenchange", function () {
      buttons.forEach(function (button) {
        var on = document.fullscreenElement && document.fullscreenElement.id === button.getAttribute("data-fullscreen");
        button.textContent = on ? "Exit fullscreen" : "Fullscreen";
      });
    });
  }

  // --- confirmations -------------------------------------------------------------

  function setUpConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // --- camera status from the event stream ------------------------------------------

  function showStatus(camera, status) {
    document.querySelectorAll(".live-status[data-camera-status]").forEach(function (dot) {
      if (dot.getAttribute("data-camera-status") !== camera) return;
      dot.className = "live-status status-" + status;
      dot.title = STATUS_LABELS[status] || status;
      var text = dot.querySelector(".visually-hidden");
      if (text) text.textContent = dot.title;
    });
    if (status !== "online") return;
    // A camera just came back: players waiting out their backoff try now.
    document.querySelectorAll("cctv-player").forEach(function (player) {
      if (player.getAttribute("camera") === camera && player.retryNow) player.retryNow();
    });
  }

  function followEvents() {
    // The page's one event stream, opened by alerts.js (base.html loads it first).
    if (!document.querySelector("[data-camera-status]") || !window.cctvEvents) return;
    window.cctvEvents.subscribe(function (message) {
      if (message.type === "camera.status" && message.camera) showStatus(message.camera, message.status);
    });
  }

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  onReady(function () {
    setUpOverlay();
    setUpFullscreen();
    setUpConfirmations();
    followEvents();
  });
})();
