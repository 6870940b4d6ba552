// The moving areas of a motion event, as the server stores them ([x, y, w, h], fractions 0..1 of
// the picture), turned into CSS percentages for boxes drawn over the snapshot. No DOM here:
// tests/js runs it in Node.

const MAX_BOXES = 32;

const fraction = (value) => typeof value === "number" && Number.isFinite(value);

const percent = (value) => `${Math.round(value * 10000) / 100}%`;

// The boxes of a data attribute's JSON text; [] for anything unreadable.
export const parseBoxes = (text) => {
  if (!text) return [];
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
};

// {left, top, width, height} in percent for each readable box, clipped to the picture; boxes of no
// size, or of the wrong shape, are left out.
export const boxRects = (boxes) => {
  if (!Array.isArray(boxes)) return [];
  const rects = [];
  for (const box of boxes) {
    if (!Array.isArray(box) || box.length !== 4 || !box.every(fraction)) continue;
    const left = Math.min(Math.max(box[0], 0), 1);
    const top = Math.min(Math.max(box[1], 0), 1);
    const right = Math.min(Math.max(box[0] + box[2], 0), 1);
    const bottom = Math.min(Math.max(box[1] + box[3], 0), 1);
    if (right <= left || bottom <= top) continue;
    rects.push({ left: percent(left), top: percent(top), width: percent(right - left), height: percent(bottom - top) });
    if (rects.length === MAX_BOXES) break;
  }
  return rects;
};
