// Pure formatting helpers shared by the pages' scripts. No DOM here: tests/js runs them in Node.

// A same-site path ("/alerts/..."), or "" for anything else: links pushed by the server are
// followed only when they stay on this site.
export const localPath = (value) =>
  typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/" ? value : "";

const timeFormat = (timeZone) => {
  const options = {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hourCycle: "h23", timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat([], { ...options, timeZone: timeZone || undefined });
  } catch {
    return new Intl.DateTimeFormat([], options); // a zone this browser does not know: its own
  }
};

// "2026-03-01 10:00:00 CET", the shape of the server's rows, in the given time zone (the site's),
// else the browser's; "" for a date that cannot be read.
export const formatTime = (iso, timeZone = undefined) => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = {};
  timeFormat(timeZone).formatToParts(date).forEach((part) => { parts[part.type] = part.value; });
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ` +
    `${parts.timeZoneName || ""}`;
};

// How long an event lasted: "42 s", "3 min 5 s", "2 h 10 min".
export const eventDuration = (seconds) => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

// A clip length as the duration menu shows it: "30 s", "5 min", "90 s".
export const clipDuration = (seconds) => (seconds < 60 || seconds % 60 ? `${seconds} s` : `${seconds / 60} min`);

// "512 bytes", "1.5 MB"; "" when the size is not known.
export const humanSize = (bytes) => {
  if (bytes === null || bytes === undefined) return "";
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i += 1;
  }
  return `${i === 0 ? size : size.toFixed(1)} ${units[i]}`;
};
