// The timeline's geometry: wall-clock time (ms since the epoch) <-> position on the bar.
//
// A view is {start, end} in ms. Positions are fractions of the bar (0..1), so the page can place
// marks with percentages that survive a resize; pixels come in only where a pointer is read.

export const DAY_MS = 24 * 3600 * 1000;

export const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

// Where `time` falls on the bar, 0 at the view's start and 1 at its end (unclamped).
export const fractionAt = (view, time) => (time - view.start) / (view.end - view.start);

// The time at a fraction of the bar (clamped to the view).
export const timeAtFraction = (view, fraction) =>
  view.start + clamp(fraction, 0, 1) * (view.end - view.start);

// The time under a pointer at clientX, on a bar whose box is {left, width}.
export const timeAtPixel = (view, box, clientX) =>
  box.width > 0 ? timeAtFraction(view, (clientX - box.left) / box.width) : view.start;

// The pixel offset of `time` inside a bar `width` pixels wide.
export const pixelAt = (view, width, time) => fractionAt(view, time) * width;

// An interval as {left, width} fractions, cut to the view; null when it lies outside.
export const spanOf = (view, start, end) => {
  const from = clamp(fractionAt(view, start), 0, 1);
  const to = clamp(fractionAt(view, end), 0, 1);
  return to > from ? { left: from, width: to - from } : null;
};

// Tick steps, from a minute to a day: the first that keeps the bar to at most `most` labels.
const MINUTE = 60 * 1000;
const STEPS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((minutes) => minutes * MINUTE);

export const tickStep = (view, most = 8) =>
  STEPS.find((step) => (view.end - view.start) / step <= most) || STEPS[STEPS.length - 1];

// Tick times inside the view (ms), on whole multiples of the step in UTC (every time zone in use is
// a whole number of quarter hours off UTC, so ticks of 15 min or more fall on whole local quarters,
// and labels are written in the site's zone).
export const ticks = (view, most = 8) => {
  const step = tickStep(view, most);
  const found = [];
  for (let t = Math.ceil(view.start / step) * step; t <= view.end; t += step) found.push(t);
  return found;
};

// Zoom: the bar spans one of these (5 minutes to 7 days; the timeline API answers at most 7 days).
export const SPANS = [5, 15, 60, 360, 1440, 10080].map((minutes) => minutes * MINUTE);

// The view one zoom level in (direction -1) or out (+1), keeping `anchor` (ms) at the same place on
// the bar (the pointer's, for the wheel) or, with `center`, in the middle (the buttons: the frame
// playing), never reaching past `now`.
export const zoomView = (view, direction, anchor, now, { center = false } = {}) => {
  const span = view.end - view.start;
  const index = SPANS.findIndex((s) => s >= span - 1);
  const next = SPANS[clamp((index < 0 ? SPANS.length - 1 : index) + direction, 0, SPANS.length - 1)];
  const at = center ? 0.5 : clamp(fractionAt(view, anchor), 0, 1);
  const end = Math.min(anchor + (1 - at) * next, now);
  return { start: end - next, end };
};

// The view moved by `fraction` of its span (negative: earlier), never reaching past `now`.
export const panView = (view, fraction, now) => {
  const span = view.end - view.start;
  const end = Math.min(view.end + fraction * span, now);
  return { start: end - span, end };
};
