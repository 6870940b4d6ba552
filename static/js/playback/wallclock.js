// Playlist time (the <video>'s currentTime, seconds) <-> wall-clock time (ms since the epoch).
//
// The playlist tags every segment with its wall-clock start (EXT-X-PROGRAM-DATE-TIME); the player
// gives each segment its place on the playlist's timeline ({start, duration} in seconds, hls.js's
// fragments). Inside a segment time runs at the media's pace. Between two segments there may be a
// gap in wall-clock time (nothing recorded) that the playlist skips: a moment in a gap maps to the
// next footage.

// fragments: [{start, duration, pdt}] sorted by start; pdt in ms. hls.js's own fragment objects
// work too (their wall-clock start is `programDateTime`), so the page need not copy 8,640 of them.
const pdtOf = (fragment) => fragment.pdt ?? fragment.programDateTime;

const lastStartingAtOrBefore = (fragments, key, value) => {
  let low = 0;
  let high = fragments.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (key(fragments[middle]) <= value) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
};

// The wall-clock time (ms) of playlist position `seconds`; null without fragments.
export const wallClockAt = (fragments, seconds) => {
  if (!fragments.length) return null;
  const index = Math.max(lastStartingAtOrBefore(fragments, (f) => f.start, seconds), 0);
  const fragment = fragments[index];
  const into = Math.min(Math.max(seconds - fragment.start, 0), fragment.duration);
  return pdtOf(fragment) + into * 1000;
};

// The playlist position (seconds) showing wall-clock time `ms`: inside a segment, its offset; in a
// gap or before the first segment, the start of the next footage; after the last, null.
export const positionAt = (fragments, ms) => {
  if (!fragments.length) return null;
  const index = lastStartingAtOrBefore(fragments, pdtOf, ms);
  if (index < 0) return fragments[0].start;
  const fragment = fragments[index];
  const into = (ms - pdtOf(fragment)) / 1000;
  if (into < fragment.duration) return fragment.start + into;
  const next = fragments[index + 1];
  return next ? next.start : null;
};

// The moment `seconds` of the playlist after `ms`, as playlist position (arrow keys): null past
// the end; negative steps stop at the first footage.
export const stepFrom = (fragments, ms, seconds) => {
  const target = ms + seconds * 1000;
  if (!fragments.length) return null;
  if (target < pdtOf(fragments[0])) return fragments[0].start;
  return positionAt(fragments, target);
};

// Motion events (sorted by play_from, ms) before and after a moment; a small margin keeps the
// event now playing from being "next" again.
export const nextEvent = (events, ms, margin = 1000) => events.find((e) => e.playFrom > ms + margin) || null;

export const previousEvent = (events, ms, margin = 3000) => {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    if (events[i].playFrom < ms - margin) return events[i];
  }
  return null;
};

export const SPEEDS = [1, 2, 4, 8, 16];

// The next speed up or down the ladder (J/K/L and the speed buttons).
export const changeSpeed = (current, direction) => {
  const index = Math.max(SPEEDS.indexOf(current), 0);
  return SPEEDS[Math.min(Math.max(index + direction, 0), SPEEDS.length - 1)];
};

// The range of a playback session that plays moment `ms`: 24 hours (the API's most) around it,
// ending no later than `now`, so the rest of the day plays on without a new session.
export const SESSION_SPAN_MS = 24 * 3600 * 1000 - 10_000; // a little under, for the clock between here and there

export const sessionRange = (ms, now) => {
  const end = Math.min(ms + SESSION_SPAN_MS / 2, now);
  return { start: Math.min(end - SESSION_SPAN_MS, ms), end };
};
