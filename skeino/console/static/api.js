// The public API, as any SDK client calls it: same-origin fetch, JSON in and out, SSE read
// from a ReadableStream. The server's root is the directory above /console/.
const ROOT = new URL("..", document.baseURI).pathname.replace(/\/$/, "");
const TOKEN_KEY = "skeino.console.token";
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) ?? "",
  set(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

/** Called with every refusal (401/403) so the page can ask for a token. */
export function onRefusal(listener) {
  listeners.add(listener);
}

function headers(extra = {}) {
  const out = { ...extra };
  const value = token.get();
  if (value) out.Authorization = value.includes(" ") ? value : `Bearer ${value}`;
  return out;
}

async function failure(response) {
  let detail = response.statusText;
  try {
    const body = await response.json();
    detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? body);
  } catch {
    // not JSON: the status text says enough
  }
  if (response.status === 401 || response.status === 403) listeners.forEach((l) => l(detail));
  return new ApiError(response.status, detail);
}

function request(method, path, body, extra = {}) {
  const init = { method, headers: headers(extra.headers), signal: extra.signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  return fetch(ROOT + path, init);
}

/** JSON of `method path`; throws ApiError with the server's `detail` on a non-2xx. */
export async function api(method, path, body, extra) {
  const response = await request(method, path, body, extra);
  if (!response.ok) throw await failure(response);
  const text = await response.text(); // a cancel answers 202 with no body
  return text ? JSON.parse(text) : null;
}

/** The raw response (for endpoints like /metrics whose body may not be JSON). */
export async function raw(path) {
  return request("GET", path);
}

/**
 * Reads a Server-Sent Events response, calling onEvent({event, data, id}) per event.
 * Resolves when the stream ends; aborting `signal` ends it early.
 */
export async function stream(method, path, body, onEvent, extra = {}) {
  const response = await request(method, path, body, {
    ...extra,
    headers: { Accept: "text/event-stream", ...extra.headers },
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parse = sseParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parse(value);
  }
  parse("\n\n");
}

/** An incremental SSE parser: feed it text chunks as they arrive. */
export function sseParser(onEvent) {
  let buffer = "";
  let event = { event: "message", data: [], id: null };
  const dispatch = () => {
    if (event.data.length) {
      const text = event.data.join("\n");
      let data = text;
      try {
        data = JSON.parse(text);
      } catch {
        // a plain-text payload stays text
      }
      onEvent({ event: event.event, data, id: event.id });
    }
    event = { event: "message", data: [], id: null };
  };
  return (chunk) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const line of lines) {
      if (line === "") dispatch();
      else if (line.startsWith(":")) continue;
      else {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.event = value;
        else if (field === "data") event.data.push(value);
        else if (field === "id") event.id = value;
      }
    }
  };
}
