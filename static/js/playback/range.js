// A range marked on a timeline for export: two moments (milliseconds), marked in either order.
// Pure: the checks the server makes too, said before a request is sent. No DOM here (tests/js).

import { eventDuration } from "../format.js";

export const MAX_EXPORT_MS = 24 * 3600 * 1000; // the API cuts at most a day at a time
export const FUTURE_MS = 30 * 60 * 1000; // a range may reach this far past now: it is cut once recorded
export const MIN_EXPORT_MS = 1000;

// The marked range, earliest first; null until both ends are marked.
export const markedRange = (marks) => {
  if (marks.start === null || marks.end === null) return null;
  return { start: Math.min(marks.start, marks.end), end: Math.max(marks.start, marks.end) };
};

// Why the range cannot be exported, in words for the person; null when it can.
export const rangeProblem = (range, now) => {
  if (!range) return "Mark where the export starts and where it ends.";
  const length = range.end - range.start;
  if (length < MIN_EXPORT_MS) return "The start and the end are the same moment: mark an end later than the start.";
  if (length > MAX_EXPORT_MS) return "An export lasts at most 24 hours: mark a shorter range.";
  if (range.end > now + FUTURE_MS) return "An export may reach at most 30 minutes past now.";
  return null;
};

// "42 s", "3 min 5 s": the range's length as the panel says it.
export const rangeLength = (range) => eventDuration((range.end - range.start) / 1000);

// The request body for the page's export endpoint: one camera's range clip, or a multi-camera
// export of every camera the page shows.
export const exportBody = (target, range, stream) => {
  const times = { start: new Date(range.start).toISOString(), end: new Date(range.end).toISOString() };
  const chosen = stream ? { stream } : {};
  return target.kind === "bundle"
    ? { cameras: target.cameras, ...times, ...chosen }
    : { camera: target.cameras[0], ...times, ...chosen };
};
