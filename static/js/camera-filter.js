// Which dashboard cameras a search shows, and when a tile's picture is due again. No DOM here:
// tests/js runs it in Node.

// Lower case, accents off, spaces folded: "Café  Entrée" finds "cafe entree".
export const normalise = (text) =>
  String(text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();

// Every word of the query is somewhere in the name (in any order); offlineOnly keeps offline ones.
export const cameraMatches = ({ name, status }, query, offlineOnly = false) => {
  if (offlineOnly && status !== "offline") return false;
  const haystack = normalise(name);
  return normalise(query)
    .split(" ")
    .filter(Boolean)
    .every((word) => haystack.includes(word));
};

// The picture's address for the current minute: the server caches one picture a minute, so
// every tile of the same minute asks for the same URL (and the browser's cache answers).
export const thumbnailUrl = (base, now = Date.now(), seconds = 60) => {
  const slot = Math.floor(now / (seconds * 1000));
  const [path] = String(base).split("?");
  return `${path}?t=${slot}`;
};
