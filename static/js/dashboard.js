// The dashboard: find cameras by name across sites (and offline ones), remember which sites are
// folded, and refresh each visible camera's picture about once a minute. Pictures come from the
// portal (permission-checked, cached a minute there); a new one replaces the old only once it is
// loaded, so a tile never goes blank.

import { cameraMatches, thumbnailUrl } from "./camera-filter.js";

const REFRESH_MS = 60_000;
const FOLDED_KEY = "cctv.dashboard.folded";

// --- search ----------------------------------------------------------------------------------------

const setUpFinder = () => {
  const finder = document.querySelector("[data-camera-finder]");
  if (!finder) return;
  const search = finder.querySelector("[data-camera-search]");
  const offline = finder.querySelector("[data-camera-offline-only]");
  const none = finder.querySelector("[data-camera-none]");
  const apply = () => {
    const query = search.value;
    const filtering = query.trim() !== "" || offline.checked;
    let shown = 0;
    document.querySelectorAll("details[data-site]").forEach((site) => {
      let siteShown = 0;
      site.querySelectorAll("li[data-camera-name]").forEach((tile) => {
        const match = cameraMatches(
          { name: tile.getAttribute("data-camera-name"), status: tile.getAttribute("data-status") },
          query,
          offline.checked,
        );
        tile.hidden = !match;
        if (match) siteShown += 1;
      });
      site.hidden = filtering && siteShown === 0;
      if (filtering && siteShown > 0) site.open = true; // a match in a folded site is shown
      shown += siteShown;
    });
    none.hidden = !filtering || shown > 0;
  };
  search.addEventListener("input", apply);
  offline.addEventListener("change", apply);
  apply(); // the browser may have restored the fields on "back"
};

// --- folded sites ----------------------------------------------------------------------------------

const readFolded = () => {
  try {
    const value = JSON.parse(localStorage.getItem(FOLDED_KEY) || "[]");
    return new Set(Array.isArray(value) ? value : []);
  } catch {
    return new Set();
  }
};

const setUpFolding = () => {
  const folded = readFolded();
  document.querySelectorAll("details[data-site]").forEach((site) => {
    const id = site.getAttribute("data-site");
    if (folded.has(id)) site.open = false;
    site.addEventListener("toggle", () => {
      if (site.open) folded.delete(id);
      else folded.add(id);
      try {
        localStorage.setItem(FOLDED_KEY, JSON.stringify([...folded]));
      } catch {
        // private mode: folding still works, it is just not remembered
      }
    });
  });
};

// --- pictures --------------------------------------------------------------------------------------

const visible = new Set();

const refresh = (img) => {
  const next = thumbnailUrl(img.getAttribute("src"));
  if (next === img.getAttribute("src")) return;
  const loader = new Image();
  loader.addEventListener("load", () => {
    img.src = next;
    img.closest(".snapshot")?.classList.remove("is-missing");
  }, { once: true });
  loader.src = next;
};

const setUpPictures = () => {
  const pictures = document.querySelectorAll("[data-thumbnail] img");
  if (!pictures.length || !("IntersectionObserver" in window)) return;
  const observer = new IntersectionObserver((entries) => {
    entries.forEach((entry) => {
      if (entry.isIntersecting) visible.add(entry.target);
      else visible.delete(entry.target);
    });
  });
  pictures.forEach((img) => observer.observe(img));
  setInterval(() => {
    if (document.hidden) return;
    visible.forEach((img) => { if (!img.closest("[hidden]") && !img.closest("details:not([open])")) refresh(img); });
  }, REFRESH_MS);
};

setUpFinder();
setUpFolding();
setUpPictures();
