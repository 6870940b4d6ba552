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
  }

  // start() now if there is room, else when an earlier one is done. Asking twice waits once.
  request(key, start) {
    if (this.starting.size < this.limit()) {
      this.starting.add(key);
      start();
    } else if (!this.waiting.some(([waiting]) => waiting === key)) {
      this.waiting.push([key, start]);
    }
  }

  // `key` started (or gave up, or left the page): make room for the next.
  done(key) {
    this.waiting = this.waiting.filter(([waiting]) => waiting !== key);
    if (!this.starting.delete(key)) return;
    while (this.waiting.length && this.starting.size < this.limit()) {
      const [next, start] = this.waiting.shift();
      this.starting.add(next);
      start();
    }
  }
}
