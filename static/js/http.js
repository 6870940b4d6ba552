// Talking to the portal's JSON endpoints: the CSRF token, fetch with the session, and errors a
// person can read.

export const csrfFromCookie = (cookie) => {
  const match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(cookie || "");
  return match ? decodeURIComponent(match[1]) : "";
};

export const csrfToken = () => csrfFromCookie(document.cookie);

// The sentence to show for a failed request whose answer was `body`: the API's "detail", else
// the status.
export const failureText = (status, body) => (body && body.detail) || `The request failed (${status}).`;

// The first message of an API error body: "detail" alone, else the first field's first error
// (DRF's {"field": ["message"]}), else "detail" or the fallback. "lock" is PTZ state, not an error.
export const firstError = (body, fallback) => {
  const data = body || {};
  const keys = Object.keys(data);
  if (data.detail && keys.length === 1) return data.detail;
  const field = keys.find((key) => key !== "detail" && key !== "lock" && Array.isArray(data[key]));
  if (field !== undefined) return data[field][0];
  return data.detail || fallback;
};

export class HttpError extends Error {
  constructor(status, body) {
    super(failureText(status, body));
    this.status = status;
    this.body = body;
  }
}

// One request with the session cookie; resolves with {status, ok, body} (body {} when the answer
// is not JSON) and rejects only when the portal cannot be reached. Unsafe methods carry the CSRF
// token; `keepalive` lets a request outlive the page (a stop sent on pagehide).
export const request = async (method, url, { body, keepalive = false } = {}) => {
  const init = { method, credentials: "same-origin", keepalive, headers: { Accept: "application/json" } };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, body: data };
};

// The answer's JSON, or an HttpError with a readable message.
export const fetchJson = async (url, { method = "GET", body } = {}) => {
  const reply = await request(method, url, { body });
  if (!reply.ok) throw new HttpError(reply.status, reply.body);
  return reply.body;
};
