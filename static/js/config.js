// Configuration the server writes into the page as JSON (<script type="application/json" id="...">).
//
// "page-config" is on every page (base.html, from signaling.context_processors.page_config): the live
// relay's close codes and error codes and the socket paths, taken from signaling/protocol.py, so
// nothing here repeats a number from Python. Pages add their own blocks (live-config, ptz-config).

const cache = new Map();

// The parsed JSON of an element's text; {} when it is missing or unreadable.
export const parseConfig = (text, name = "config") => {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : {};
  } catch (err) {
    console.warn(`unreadable ${name}`, err);
    return {};
  }
};

// The JSON block with this id, read once per page.
export const readJson = (id) => {
  if (!cache.has(id)) {
    const node = document.getElementById(id);
    cache.set(id, Object.freeze(parseConfig(node ? node.textContent : "", id)));
  }
  return cache.get(id);
};

export const pageConfig = () => readJson("page-config");

export const closeCodes = () => pageConfig().closeCodes || {};
export const relayErrors = () => pageConfig().relayErrors || {};

// ws: or wss: URL of a socket path of this portal.
export const socketUrl = (path) => `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
