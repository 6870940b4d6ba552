// Pure parts of the PTZ controls: which way a set of held inputs moves the camera, and the lines
// the panel shows. No DOM here: tests/js runs these in Node.

export const DIRECTIONS = Object.freeze({
  left: [-1, 0, 0], right: [1, 0, 0], up: [0, 1, 0], down: [0, -1, 0], in: [0, 0, 1], out: [0, 0, -1],
});

export const KEYS = Object.freeze({
  ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down", "+": "in", "=": "in",
  "-": "out", PageUp: "in", PageDown: "out",
});

// [pan, tilt, zoom] for what is held now (source -> direction), each in -speed..speed: two
// opposite inputs cancel, two of the same way do not go faster.
export const velocity = (held, speed) => {
  const sum = [0, 0, 0];
  Object.values(held).forEach((direction) => {
    DIRECTIONS[direction].forEach((v, i) => { sum[i] += v; });
  });
  return sum.map((v) => Math.max(-1, Math.min(1, v)) * speed);
};

export const isStill = (v) => !v[0] && !v[1] && !v[2];

// The move command for a velocity, with only the axes the camera can move continuously.
export const moveCommand = (v, capabilities) => {
  const body = { action: "move" };
  if (capabilities.continuous_pan_tilt) {
    body.pan = v[0];
    body.tilt = v[1];
  }
  if (capabilities.continuous_zoom) body.zoom = v[2];
  return body;
};

export const lockText = (lock) => {
  if (!lock.held) return "Nobody controls this camera.";
  if (lock.mine) return "You control this camera.";
  const left = lock.expires_in ? ` (for up to ${Math.ceil(lock.expires_in)} s)` : "";
  return `Controlled by ${lock.holder}${left}.`;
};

const fixed = (value) => (typeof value === "number" ? value.toFixed(2) : "–");

export const positionText = (status) => {
  if (!status.updated_at) return "Position: not read yet";
  let text = `Pan ${fixed(status.pan)} · Tilt ${fixed(status.tilt)} · Zoom ${fixed(status.zoom)}`;
  if (status.moving === true) text += " · moving";
  else if (status.moving === false) text += " · idle";
  return text;
};

// A preset button's words: still being saved on the camera, being removed from it, or ready.
export const presetLabel = (preset) => {
  if (!preset.ready) return `${preset.name} (saving…)`;
  if (preset.removing) return `${preset.name} (removing…)`;
  return preset.name;
};
