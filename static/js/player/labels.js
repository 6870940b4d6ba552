// What a tile's one status mark says: the state's word, and its tooltip (state, transport, why).
// Pure (no DOM): tests/js checks it.

export const LABELS = Object.freeze({
  connecting: "Connecting", live: "Live", offline: "Offline", denied: "No access", error: "Error", paused: "Paused",
});

export const TRANSPORTS = Object.freeze({ webrtc: "WebRTC", mse: "MSE" });

// "Live over WebRTC", "Connecting over MSE: Switching to the fallback stream.", "Paused: Paused while
// not visible." A paused or refused tile has no transport worth naming.
export const badgeTitle = ({ state, mode, text }) => {
  const label = LABELS[state] || state;
  const transport = TRANSPORTS[mode] || "";
  const over = transport && state !== "paused" && state !== "denied" ? ` over ${transport}` : "";
  return `${label}${over}${text ? `: ${text}` : ""}`;
};
