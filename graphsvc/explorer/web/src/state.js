// The view is held in the URL, so that a link reopens what is on screen.
//
// view=node&id=Label:id[&expand=Label:id...]    a node and its neighbours
// view=provenance&id=ITEM                       an item's custody chain
// view=findings&brand=BRAND[&kinds=A,B]         a brand's findings
// view=clusters[&brand=BRAND]                   the distributor clusters
// view=cluster&id=DC-...[&brand=BRAND]          one cluster

// Finding kinds are words, so a comma separates them; a node id may hold a comma
// (a GS1 serial can), so each expanded node is a parameter of its own.
const LISTS = ["kinds"];
const REPEATED = ["expand"];

/** The state in the current URL, with lists split. */
export function readState() {
  const params = new URLSearchParams(window.location.search);
  const state = {};
  for (const [name, value] of params) {
    if (REPEATED.includes(name)) {
      state[name] = params.getAll(name).filter(Boolean);
    } else {
      state[name] = LISTS.includes(name) ? value.split(",").filter(Boolean) : value;
    }
  }
  return state;
}

/** The URL of a state (relative to the page). */
export function urlOf(state) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && REPEATED.includes(name)) {
      for (const one of value) params.append(name, one);
    } else if (Array.isArray(value)) {
      if (value.length) params.set(name, value.join(","));
    } else {
      params.set(name, String(value));
    }
  }
  const query = params.toString();
  return window.location.pathname + (query ? `?${query}` : "");
}

/** Puts a state in the URL: a new history entry, or in place with `replace`. */
export function writeState(state, { replace = false } = {}) {
  const url = urlOf(state);
  if (replace) {
    window.history.replaceState(null, "", url);
  } else {
    window.history.pushState(null, "", url);
  }
}
