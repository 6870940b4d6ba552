// Keeping several players on one moment: which tile leads, and what each other tile must do.
//
// Pure decisions, unit-tested with node --test; the page (sync-playback.js) applies them every
// half second. Times are wall-clock ms of the frame each tile shows (null: no frame yet).

export const TOLERANCE_MS = 700; // closer than this counts as the same moment (a frame or two at 16x)
export const AHEAD_MS = 2000; // a tile this far ahead has no footage at the moment: it waits

// The tile the others follow: the first one showing a frame and not waiting out a gap.
export const leaderIndex = (tiles) => tiles.findIndex((tile) => tile.wall !== null && !tile.waiting);

// What a tile does to stay with the leader's moment `lead`:
//   "load"  nothing on screen yet: play from the leader's moment;
//   "wait"  it shows later footage (nothing recorded at the leader's moment): pause until it is reached;
//   "seek"  too far from the leader: jump to the leader's moment;
//   "play"  it was waiting and the leader reached its footage: carry on;
//   "keep"  in step.
export const syncAction = (tile, lead, { tolerance = TOLERANCE_MS, ahead = AHEAD_MS } = {}) => {
  if (tile.wall === null) return "load";
  const offset = tile.wall - lead;
  if (offset > ahead) return "wait";
  if (tile.waiting) return offset <= tolerance ? "play" : "wait";
  return Math.abs(offset) > tolerance ? "seek" : "keep";
};

// The covered intervals of one camera as {start, end} ms, sorted and merged where they touch.
export const lane = (intervals) => {
  const spans = intervals.map((i) => ({ start: Date.parse(i.start), end: Date.parse(i.end) }))
    .sort((a, b) => a.start - b.start);
  const merged = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
};
