// The timeline bar's drawing, shared by the timeline page and recordings together: marks placed by
// fraction, the tick labels, and where the -/+/Earlier/Later buttons move the view.

import { formatTime } from "../format.js";
import { DAY_MS, panView, spanOf, tickStep, ticks, zoomView } from "./timescale.js";

const iso = (ms) => new Date(ms).toISOString();

// Put `element` over `span` ({left, width} fractions of the bar).
export const place = (element, span) => {
  element.style.left = `${span.left * 100}%`;
  element.style.width = `${span.width * 100}%`;
};

// The tick labels of `view` in `container`, in `timeZone`: "HH:MM" within a day, with the date once
// the bar spans days.
export const drawTicks = (container, view, timeZone) => {
  container.replaceChildren();
  const [from, to] = tickStep(view) >= DAY_MS || view.end - view.start > DAY_MS ? [5, 16] : [11, 16];
  for (const t of ticks(view)) {
    const label = document.createElement("span");
    label.className = "timeline-tick";
    label.textContent = formatTime(iso(t), timeZone).slice(from, to);
    label.style.left = `${spanOf(view, t, view.end).left * 100}%`;
    container.append(label);
  }
};

// The view after a bar button ("in", "out", "earlier", "later"): zooms keep `anchor` in the middle.
export const movedView = (view, action, anchor, now) => {
  const moves = {
    in: () => zoomView(view, -1, anchor, now, { center: true }),
    out: () => zoomView(view, 1, anchor, now, { center: true }),
    earlier: () => panView(view, -0.5, now),
    later: () => panView(view, 0.5, now),
  };
  return moves[action]();
};

// A tap on the bar plays on pointerup; the browser then also sends a click, which must not play
// again. `tappedAt` is null until the first tap (a click in the page's first moments is a click).
export const TAP_ECHO_MS = 800;
export const clickEchoesTap = (now, tappedAt) => tappedAt !== null && now - tappedAt < TAP_ECHO_MS;
