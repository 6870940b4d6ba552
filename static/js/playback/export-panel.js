// The "Export a range" panel of the timeline page and of recordings together.
//
// "Mark start" and "Mark end" (or I and O) take the moment on screen; the marked range shows on the
// bar; "Export" asks the API for it (one camera: a range clip; several: a multi-camera export, a
// zip) and says where the file will be. The server decides what may be exported: the panel is only
// on the page for people with the export right on every camera shown.

import { formatTime } from "../format.js";
import { fetchJson, firstError } from "../http.js";
import { place } from "./bar.js";
import { exportBody, markedRange, rangeLength, rangeProblem } from "./range.js";
import { spanOf } from "./timescale.js";

const iso = (ms) => new Date(ms).toISOString();
const reason = (err) => (err && err.body ? firstError(err.body, err.message) : (err && err.message) || String(err));

// panel: the [data-range-export] element; bar: the timeline element the range is drawn on;
// target: {kind: "clip"|"bundle", url, cameras, clipsUrl}; moment(): the moment on screen (ms) or
// null; stream(): the stream to export ("" for the API's default); view(): the bar's view.
export const mountExportPanel = ({ panel, bar, target, timeZone, moment, stream, view }) => {
  const marks = { start: null, end: null };
  const text = panel.querySelector("[data-range-text]");
  const feedback = panel.querySelector("[data-export-feedback]");
  const exportButton = panel.querySelector("[data-export]");
  const shown = document.createElement("div");
  shown.className = "timeline-range";
  shown.hidden = true;
  bar.append(shown);

  const tell = (message, link = null) => {
    feedback.replaceChildren(message);
    if (link) {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      feedback.append(" ", a);
    }
  };

  const redraw = () => {
    const range = markedRange(marks);
    const one = marks.start ?? marks.end;
    const span = range ? spanOf(view(), range.start, range.end) : one !== null && spanOf(view(), one, one + 1);
    shown.hidden = !span;
    if (span) place(shown, span);
  };

  const describe = () => {
    const range = markedRange(marks);
    const at = (ms) => formatTime(iso(ms), timeZone).slice(11);
    if (range) text.textContent = `${at(range.start)} to ${at(range.end)} (${rangeLength(range)})`;
    else if (marks.start !== null) text.textContent = `From ${at(marks.start)}: mark the end`;
    else if (marks.end !== null) text.textContent = `Until ${at(marks.end)}: mark the start`;
    else text.textContent = "Nothing marked";
    exportButton.disabled = rangeProblem(range, Date.now()) !== null;
    panel.dataset.rangeStart = range ? String(range.start) : "";
    panel.dataset.rangeEnd = range ? String(range.end) : "";
    redraw();
  };

  const mark = (end) => {
    const at = moment();
    if (at === null) {
      tell("Play the footage first: a mark takes the moment on screen.");
      return;
    }
    marks[end] = Math.round(at);
    const range = markedRange(marks);
    tell(range ? rangeProblem(range, Date.now()) ?? "" : "");
    describe();
  };

  const send = async () => {
    const range = markedRange(marks);
    const problem = rangeProblem(range, Date.now());
    if (problem) {
      tell(problem);
      return;
    }
    exportButton.disabled = true;
    tell("Asking for the export…");
    try {
      await fetchJson(target.url, { method: "POST", body: exportBody(target, range, stream()) });
      const what = target.kind === "bundle" ? `A zip of ${target.cameras.length} cameras` : "The clip";
      tell(`Export requested: ${rangeLength(range)}. ${what} will be on the Clips page when it is ready.`,
        { href: target.clipsUrl, text: "Open Clips" });
      panel.dataset.exported = String(Number(panel.dataset.exported || 0) + 1);
    } catch (err) {
      tell(reason(err));
    } finally {
      exportButton.disabled = rangeProblem(markedRange(marks), Date.now()) !== null;
    }
  };

  panel.querySelector("[data-mark=start]").addEventListener("click", () => mark("start"));
  panel.querySelector("[data-mark=end]").addEventListener("click", () => mark("end"));
  panel.querySelector("[data-mark=clear]").addEventListener("click", () => {
    marks.start = null;
    marks.end = null;
    tell("");
    describe();
  });
  exportButton.addEventListener("click", () => { send(); });
  describe();
  return { mark, redraw };
};
