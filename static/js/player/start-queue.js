// At most `limit()` players of a page set up a session at once (until their first frame or
// failure); the rest wait their turn, showing "connecting". A 100-tile wall opening every socket,
// peer connection and decoder in the same second starves a small machine until handshakes time
// out, and each timeout costs a retry (or an MSE fallback, which loads the portal).
// Pure bookkeeping (no DOM): tests/js checks it.

export class StartQueue {
  constructor(limit) {
    this.limit = limit;     // () => how many may start at once
    this.starting = new Set();
    this.waiting = [];      // [key, start] in arrival order
    this.held = false;
  }

  // start() now if there is room (and the queue is not held), else when its turn comes. Asking
  // twice waits once.
  request(key, start) {
    if (!this.held && this.starting.size < this.limit()) {
      this.starting.add(key);
      start();
    } else if (!this.waiting.some(([waiting]) => waiting === key)) {
      this.waiting.push([key, start]);
    }
  }

  // `key` started (or gave up, or left the page): make room for the next.
  done(key) {
    this.waiting = this.waiting.filter(([waiting]) => waiting !== key);
    if (this.starting.delete(key)) this.fill();
  }

  // While held, nothing new starts (those under way go on); release() lets the waiting start.
  hold() {
    this.held = true;
  }

  release() {
    this.held = false;
    this.fill();
  }

  fill() {
    while (!this.held && this.waiting.length && this.starting.size < this.limit()) {
      const [next, start] = this.waiting.shift();
      this.starting.add(next);
      start();
    }
  }
}

// While a page's tile pictures are loading, the queue is held, for `maxWaitMs` at the most: on a
// wall the pictures and the first video sessions compete for the server and the machine, and
// the pictures are what the viewer looks at first. Timers are injectable for tests/js.
export class PicturesFirst {
  // The timers are wrapped: a browser's setTimeout called as a method of another object throws.
  constructor({ queue, maxWaitMs, setTimer = (run, ms) => setTimeout(run, ms), clearTimer = (id) => clearTimeout(id) }) {
    this.queue = queue;
    this.maxWaitMs = maxWaitMs;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.loadingKeys = new Set();
    this.timer = null;
  }

  loading(key) {
    this.loadingKeys.add(key);
    if (this.timer !== null) return;
    this.queue.hold();
    this.timer = this.setTimer(() => this.open(), this.maxWaitMs);
  }

  // Loaded, failed (nothing cached) or gone from the page.
  settled(key) {
    if (this.loadingKeys.delete(key) && !this.loadingKeys.size) this.open();
  }

  open() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.loadingKeys.clear();  // late pictures no longer hold anything
    this.queue.release();
  }
}
