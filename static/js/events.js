// The user's event stream (/ws/events/): one socket per page, shared by every script that wants
// camera status, clip status or motion alerts. It opens on the first subscribe() and reconnects
// with backoff, except after the portal closed it as "not signed in" (a reload shows the login).

import { backoffDelay } from "./backoff.js";
import { closeCodes, pageConfig, socketUrl } from "./config.js";

const listeners = [];
const openListeners = [];
const reconnectListeners = [];
let socket = null;
let open = false;
let everOpened = false;
let attempt = 0;

const notify = (fns, ...args) => fns.forEach((fn) => {
  try {
    fn(...args);
  } catch (err) {
    console.error(err);
  }
});

const parse = (text) => {
  try {
    const data = JSON.parse(text);
    return data && typeof data.type === "string" ? data : null;
  } catch {
    return null;
  }
};

const connect = () => {
  if (socket) return;
  socket = new WebSocket(socketUrl((pageConfig().sockets || {}).events));
  socket.onopen = () => {
    attempt = 0;
    open = true;
    if (everOpened) notify(reconnectListeners);
    everOpened = true;
    notify(openListeners);
  };
  socket.onmessage = (message) => {
    const data = parse(message.data);
    if (data) notify(listeners, data);
  };
  socket.onclose = (event) => {
    socket = null;
    open = false;
    if (event.code === closeCodes().unauthenticated) return;
    setTimeout(connect, backoffDelay(attempt));
    attempt += 1;
  };
};

// fn(message) for every message of the stream; opens the stream if it is not open yet.
export const subscribe = (fn) => {
  listeners.push(fn);
  connect();
};

// fn() on every (re)connection, and at once when the stream is open already: the moment to
// re-read state that events may have changed while the page was not listening.
export const onOpen = (fn) => {
  openListeners.push(fn);
  if (open) fn();
};

// fn() on reconnections only.
export const onReconnect = (fn) => {
  reconnectListeners.push(fn);
};

// Whether messages flow now.
export const isOpen = () => open;
