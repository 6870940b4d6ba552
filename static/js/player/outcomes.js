// What a live player does about each thing that can happen to its session. Pure functions of
// values (no DOM, no timers): the element (element.js) carries them out, tests/js checks them.
//
// An outcome is one of
//   { action: "retry", state, text, slow }   wait (backoff; `slow`: the longest wait) and reconnect
//   { action: "give-up", state, text }        stop for good (access denied, a hard error)
//   { action: "fallback" }                    drop WebRTC, play over MSE
//   { action: "probe" }                       ask the portal why the socket was refused
// The codes come from the page config (signaling/protocol.py), passed in as `codes`/`errors`.

const retry = (state, text, slow = false) => ({ action: "retry", state, text, slow });
const giveUp = (state, text) => ({ action: "give-up", state, text });

const NO_ACCESS = "You do not have access to this camera.";
const MFA_NEEDED = "Your organization requires two-factor authentication. Set it up in the portal first.";

// "code: sentence" of a relay error frame, as {code, text}.
export const parseRelayError = (value) => {
  const at = value.indexOf(":");
  return at > 0 ? { code: value.slice(0, at).trim(), text: value.slice(at + 1).trim() } : { code: "", text: value };
};

// A relay error frame, in `mode` ("webrtc" or "mse").
export const errorOutcome = ({ code, text }, mode, errors) => {
  switch (code) {
    case errors.codecMismatch:
      return mode === "webrtc" ? { action: "fallback" } : giveUp("error", text);
    case errors.accessRevoked:
      return giveUp("denied", text);
    case errors.tooManySessions:
    case errors.refused:
      return giveUp("error", text);
    case errors.cameraUnavailable:
      return retry("offline", text, true); // disabled or without a gateway: may change, but not soon
    default: // the stream, the camera or the gateway is not there yet
      return retry("offline", text);
  }
};

// The socket closed with `code`; `opened` tells whether it had opened.
export const closeOutcome = (code, opened, codes) => {
  if (code === codes.unauthenticated || code === codes.notFound) return giveUp("denied", NO_ACCESS);
  if (code === codes.mfaRequired) return giveUp("denied", MFA_NEEDED);
  if (code === codes.limit) return giveUp("error", "You have too many live views open; close some first.");
  // A refusal during the handshake reaches the browser without its close code (only 1006).
  if (!opened) return { action: "probe" };
  if (code === codes.upstream) return retry("offline", "The video gateway is not reachable.");
  return retry("connecting", "Connection lost; reconnecting.");
};

// The portal's answer to "may I watch this camera?" after a refused handshake.
export const probeOutcome = (status) => {
  if (status === 401) return giveUp("denied", "Sign in again to watch.");
  if (status === 403 || status === 404) return giveUp("denied", NO_ACCESS);
  return retry("offline", "The live service is not reachable.");
};

export const FRAMES = Object.freeze({ stallShowMs: 3000, stallReconnectMs: 15000, firstFrameTimeoutMs: 40000 });

// One look at the video: "advancing" (a new frame), "frozen" (no new frame for a while: not live
// any more), "stalled" (frozen too long: start over), "no-picture" (never a frame) or "waiting".
export const frameVerdict = ({ frames, lastFrames, paused, hadFrames, idleMs, live }, limits = FRAMES) => {
  if (frames > 0 && frames !== lastFrames && !paused) return "advancing";
  if (hadFrames) {
    // A busy machine or a network blip often recovers by itself: tearing down every tile of a wall
    // at once would only add load, so reconnect only if it lasts.
    if (idleMs > limits.stallReconnectMs) return "stalled";
    if (idleMs > limits.stallShowMs && live) return "frozen";
    return "waiting";
  }
  return idleMs > limits.firstFrameTimeoutMs ? "no-picture" : "waiting";
};
