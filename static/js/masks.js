// Pure geometry of the motion mask editor: masks are polygons of [x, y] points in 0..1 of the
// picture. No DOM here: tests/js runs these in Node.

export const MIN_POINTS = 3;
export const MAX_POINTS = 64;
export const MAX_MASKS = 16;
export const SAME_POINT_PX = 6; // the two clicks of a double-click land here: one point, not two

// The masks saved in the form's hidden input; [] for anything unreadable.
export const readMasks = (value) => {
  try {
    const masks = JSON.parse(value || "[]");
    return Array.isArray(masks) ? masks.filter(Array.isArray) : [];
  } catch {
    return [];
  }
};

const clamp = (v) => Math.min(1, Math.max(0, v));
const round4 = (v) => Math.round(v * 10000) / 10000;

// The picture point under a click at (clientX, clientY) in a box {left, top, width, height}.
export const pointIn = (box, clientX, clientY) => [
  round4(clamp((clientX - box.left) / box.width)),
  round4(clamp((clientY - box.top) / box.height)),
];

// Whether `point` lands within SAME_POINT_PX screen pixels of `last` in a box of that size.
export const samePoint = (last, point, box) => {
  if (!last) return false;
  const dx = (point[0] - last[0]) * box.width;
  const dy = (point[1] - last[1]) * box.height;
  return Math.hypot(dx, dy) < SAME_POINT_PX;
};
