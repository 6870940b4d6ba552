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

// Whole hours inside the view (as ms), every `step` hours, for tick marks. Hours are UTC hours:
// every time zone in use is a whole number of hours or half/quarter hours off, and labels are
// written in the site's zone.
export const hourTicks = (view, step = 3) => {
  const hour = 3600 * 1000;
  const ticks = [];
  for (let t = Math.ceil(view.start / hour) * hour; t <= view.end; t += hour) {
    if (Math.round(t / hour) % step === 0) ticks.push(t);
  }
  return ticks;
};
