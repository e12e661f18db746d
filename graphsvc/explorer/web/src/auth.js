// The API key the page sends, kept for this tab only.
//
// A page navigation cannot carry an Authorization header, so the page's own
// requests add it. The key lives in sessionStorage: it goes when the tab closes,
// other tabs do not see it, and it never appears in a URL or in localStorage.

const STORAGE_KEY = "graphsvc.apiKey";

/** The key entered in this tab, or null. */
export function storedKey() {
  return window.sessionStorage.getItem(STORAGE_KEY);
}

export function keepKey(key) {
  window.sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey() {
  window.sessionStorage.removeItem(STORAGE_KEY);
}

/** The headers that present the stored key; none when there is no key. */
export function keyHeaders() {
  const key = storedKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** The service refused the request's key (401) or its role (403). */
export class KeyRefused extends Error {
  constructor(status, message) {
    super(message);
    this.name = "KeyRefused";
    this.status = status;
  }
}

/** Throws `KeyRefused` with the service's own sentence when `response` is a refusal. */
export async function checkAccess(response) {
  if (response.status !== 401 && response.status !== 403) return;
  let message = `the service answered ${response.status}`;
  try {
    const body = await response.json();
    message = body.error?.message || message;
  } catch {
    // A refusal from something in front of the service may not be JSON.
  }
  throw new KeyRefused(response.status, message);
}
