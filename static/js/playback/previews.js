// Timeline previews: which thumbnail shows a moment, and loading them without a storm of requests.
//
// The timeline API lists the minutes that have a picture ({at, url}); the page keeps them sorted
// and, as the pointer (or a finger) moves along the bar, shows the picture of the minute under it.
// Nothing is fetched until someone hovers, only minutes that have a picture are asked for, at most
// one picture loads at a time (a fast scrub asks only for where the pointer is when the previous
// one arrives), and a picture loaded once is shown again at once (the browser keeps it: the
// server lets it cache them for an hour).

// The timeline answer's thumbnails as a sorted array of {at: ms, url}.
export const previewIndex = (items) => (items || [])
  .map((item) => ({ at: Date.parse(item.at), url: item.url }))
  .filter((item) => !Number.isNaN(item.at))
  .sort((a, b) => a.at - b.at);

// The picture showing `time`: the last one at or before it, if `time` falls within its `spanMs`;
// else null (a minute without a picture shows none rather than a neighbour's).
export const previewAt = (index, time, spanMs) => {
  let low = 0;
  let high = index.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (index[middle].at <= time) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found < 0 || time - index[found].at >= spanMs) return null;
  return index[found];
};

// Loads pictures one at a time and shows the one wanted last. `load(url)` resolves once the
// picture is in the browser (an Image's decode()); `show(url)` puts it on the page.
export class PreviewLoader {
  constructor(load, show, { keep = 500 } = {}) {
    this.load = load;
    this.show = show;
    this.keep = keep;
    this.loaded = new Set(); // in insertion order: the oldest is forgotten first
    this.loading = null;
    this.wanted = null;
  }

  // Ask for `url` (null: nothing is wanted any more, e.g. the pointer left the bar).
  want(url) {
    this.wanted = url;
    if (url === null) return;
    if (this.loaded.has(url)) {
      this.show(url);
      return;
    }
    if (this.loading === null) this.fetch(url);
  }

  async fetch(url) {
    this.loading = url;
    try {
      await this.load(url);
      this.remember(url);
    } catch {
      // A picture that did not load (removed by retention meanwhile): show nothing for it.
    }
    this.loading = null;
    if (this.wanted === null) return;
    if (this.wanted === url) {
      if (this.loaded.has(url)) this.show(url);
    } else {
      this.want(this.wanted);
    }
  }

  remember(url) {
    this.loaded.delete(url);
    this.loaded.add(url);
    if (this.loaded.size > this.keep) this.loaded.delete(this.loaded.values().next().value);
  }
}
