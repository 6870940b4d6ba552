// Snapshots on every page (alert list, toasts, the camera page): the picture is shown only once it
// is decoded, over a light placeholder of reserved size (no dark flash, no jump), and the areas
// where motion was found are outlined over it. Markup: <a|span class="snapshot" data-boxes="[[x,y,w,h]]">
// <img ...></a>. Boxes are positioned through the CSSOM, which the Content-Security-Policy allows
// (style attributes in markup it refuses).

import { boxRects, parseBoxes } from "./boxes.js";

document.documentElement.classList.add("snapshots-ready");

export const drawBoxes = (frame) => {
  frame.querySelectorAll(".snapshot-box").forEach((box) => box.remove());
  for (const rect of boxRects(parseBoxes(frame.getAttribute("data-boxes")))) {
    const box = document.createElement("span");
    box.className = "snapshot-box";
    box.setAttribute("aria-hidden", "true");
    Object.assign(box.style, rect);
    frame.appendChild(box);
  }
};

// A frame with boxes takes the picture's own proportions, so the boxes (fractions of the picture)
// sit right; other frames (dashboard tiles) keep their 16:9 so a grid stays even.
const fit = (frame, img) => {
  if (!frame.hasAttribute("data-boxes") || !img.naturalWidth || !img.naturalHeight) return;
  frame.style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`;
  frame.classList.add("is-fitted");
};

const decoded = (img) => (img.decode ? img.decode().catch(() => {}) : Promise.resolve());

export const reveal = (frame) => {
  const img = frame.querySelector("img");
  if (!img || frame.dataset.snapshotWatched) return;
  frame.dataset.snapshotWatched = "1";
  const shown = () => {
    fit(frame, img);
    frame.classList.remove("is-missing");
    frame.classList.add("is-loaded");
  };
  const failed = () => frame.classList.add("is-missing");
  if (img.complete && img.naturalWidth) {
    shown();
    return;
  }
  if (img.complete && img.getAttribute("src")) {
    failed();
    return;
  }
  img.addEventListener("load", () => decoded(img).then(shown), { once: true });
  img.addEventListener("error", failed, { once: true });
};

export const enhance = (root = document) => {
  root.querySelectorAll(".snapshot").forEach((frame) => {
    reveal(frame);
    if (frame.hasAttribute("data-boxes")) drawBoxes(frame);
  });
};

enhance();
