// Pure arithmetic of the MSE fallback's buffer (no DOM: tests/js runs these in Node).

// Codecs offered for MSE; go2rtc picks from those the browser can play.
export const MSE_CODECS = Object.freeze([
  "avc1.640029", "avc1.64002A", "avc1.640033", "hvc1.1.6.L153.B0",
  "mp4a.40.2", "mp4a.40.5", "flac", "opus",
]);

// The comma-separated list of MSE_CODECS that isTypeSupported(mime) accepts.
export const supportedCodecs = (isTypeSupported) =>
  MSE_CODECS.filter((codec) => isTypeSupported(`video/mp4; codecs="${codec}"`)).join(",");

// The segments that arrived while the SourceBuffer was busy, as one buffer to append.
export const joinChunks = (chunks) => {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  chunks.forEach((chunk) => {
    out.set(chunk, at);
    at += chunk.byteLength;
  });
  return out;
};

export const KEEP_BEHIND_S = 4;  // media kept behind the play position
const TRIM_AT_LEAST_S = 2;        // smaller removals are not worth a SourceBuffer round trip

// Where to cut the buffer's start so only `keep` seconds stay behind the play position, or null
// when there is too little to remove. Memory then stays flat on a wall that runs for days.
export const trimEnd = (bufferedStart, currentTime, keep = KEEP_BEHIND_S) => {
  const keepFrom = currentTime - keep;
  return keepFrom - bufferedStart < TRIM_AT_LEAST_S ? null : keepFrom;
};

export const MAX_LAG_S = 2;   // further behind the newest frame than this: jump
const EDGE_MARGIN_S = 0.3;    // land this far before the newest frame

// The time to jump to so a live view shows now rather than a queue of the past, or null when the
// play position is close enough to the end of the last buffered range [start, end].
export const liveEdgeSeek = (start, end, currentTime, maxLag = MAX_LAG_S) => {
  if (end - currentTime > maxLag || currentTime < start) return Math.max(start, end - EDGE_MARGIN_S);
  return null;
};
