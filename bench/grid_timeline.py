"""Per-tile timeline of a live wall, for ``bench.grid_100 --timeline``: where the seconds go.

An init script (installed before any page script) wraps the page's
``WebSocket`` and ``RTCPeerConnection`` and watches the players' attributes,
recording for every camera the first time (ms since navigation) of:

- ``socket``: its live socket created; ``open``: the portal accepted it
  (authentication, the gate, the session cap and the dial to the gateway
  are behind this);
- ``offer``: the browser's WebRTC offer sent; ``answer``: the gateway's
  answer received (go2rtc answers once the camera's stream is attached);
- ``connected``: the peer connection connected (ICE and DTLS done);
- ``picture``: the tile shows a picture (``data-picture`` set: a snapshot
  or video); ``live``: the player says ``data-state=live`` (frames presented).

It only observes: nothing the page does changes. The wrapped constructors
are the browser's own, subclassed.
"""

from __future__ import annotations

import statistics
from typing import Any

TIMELINE_JS = """
(() => {
  const tiles = (window.__tileTimeline = {});
  const byUfrag = {};
  const at = (camera, name) => {
    if (!camera) return;
    const row = (tiles[camera] = tiles[camera] || { sockets: 0 });
    if (!(name in row)) row[name] = performance.now();
  };
  const cameraOf = (url) => { const m = /\\/ws\\/cameras\\/([^/]+)\\/live\\//.exec(String(url)); return m && m[1]; };
  const ufragOf = (sdp) => { const m = /a=ice-ufrag:(\\S+)/.exec(sdp || ""); return m && m[1]; };

  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) {
      super(url, protocols);
      const camera = cameraOf(url);
      if (!camera) return;
      at(camera, "socket");
      tiles[camera].sockets += 1;
      this.addEventListener("open", () => at(camera, "open"));
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") { at(camera, "mse_data"); return; }
        if (event.data.includes('"webrtc/answer"')) at(camera, "answer");
        else if (event.data.includes('"error"')) at(camera, "error");
      });
      const send = this.send.bind(this);
      this.send = (data) => {
        if (typeof data === "string" && data.includes('"webrtc/offer"')) {
          at(camera, "offer");
          const ufrag = ufragOf(JSON.parse(data).value);
          if (ufrag) byUfrag[ufrag] = camera;
        }
        return send(data);
      };
    }
  };

  if (window.RTCPeerConnection) {
    const NativePeer = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends NativePeer {
      constructor(...args) {
        super(...args);
        this.addEventListener("connectionstatechange", () => {
          if (this.connectionState !== "connected") return;
          at(byUfrag[ufragOf(this.localDescription && this.localDescription.sdp)], "connected");
        });
      }
    };
  }

  const watch = () => new MutationObserver((records) => {
    records.forEach(({ target }) => {
      if (target.localName !== "cctv-player") return;
      const camera = target.getAttribute("camera");
      if (target.dataset.state === "live") at(camera, "live");
      if (target.hasAttribute("data-picture")) at(camera, "picture");
    });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state", "data-picture"] });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
"""

READ_JS = "() => window.__tileTimeline || {}"

PHASES = (
    ("socket", "first socket created"),
    ("open", "socket accepted"),
    ("offer", "offer sent"),
    ("answer", "answer received"),
    ("connected", "ICE+DTLS connected"),
    ("picture", "tile shows a picture"),
    ("live", "tile live"),
)

# Durations between two marks of the same tile: (name, from, to).
STEPS = (
    ("socket_to_open", "socket", "open"),
    ("open_to_offer", "open", "offer"),
    ("offer_to_answer", "offer", "answer"),
    ("answer_to_connected", "answer", "connected"),
    ("connected_to_live", "connected", "live"),
    ("socket_to_live", "socket", "live"),
)


def read(page: Any) -> dict[str, dict[str, float]]:
    return page.evaluate(READ_JS)


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def summary(rows: dict[str, dict[str, float]]) -> list[str]:
    """Lines: when tiles reached each mark (ms after navigation), and the per-tile step durations."""
    lines = []
    for key, label in PHASES:
        values = [row[key] for row in rows.values() if key in row]
        if values:
            lines.append(f"  {key:<10} {label:<22} n={len(values):<3} first {min(values):6.0f}  "
                         f"median {statistics.median(values):6.0f}  p90 {_pct(values, 90):6.0f}  "
                         f"last {max(values):6.0f} ms")
    for name, start, end in STEPS:
        values = [row[end] - row[start] for row in rows.values() if start in row and end in row]
        if values:
            lines.append(f"  {name:<22} median {statistics.median(values):6.0f}  p90 {_pct(values, 90):6.0f}  "
                         f"max {max(values):6.0f} ms")
    retried = sum(1 for row in rows.values() if row.get("sockets", 0) > 1)
    lines.append(f"  tiles that opened more than one socket: {retried}")
    return lines
