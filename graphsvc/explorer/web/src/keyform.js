// The "API key" form, shown when the service refuses the page's requests.

import { forgetKey, keepKey, storedKey } from "./auth.js";

const $ = (id) => document.getElementById(id);

/**
 * Wires the form and the "Forget key" button; `retry` runs once a key is entered
 * or forgotten, to load the view again with it.
 */
export function setUpKeyForm(retry) {
  $("key-form").addEventListener("submit", (event) => {
    // The input has no name, so the key could not go into a URL anyway.
    event.preventDefault();
    const key = $("key-input").value.trim();
    if (!key) return;
    keepKey(key);
    $("key-input").value = "";
    $("key-message").textContent = "";
    $("key-form").hidden = true;
    showForget();
    retry();
  });
  $("forget-key").addEventListener("click", () => {
    forgetKey();
    showForget();
    retry();
  });
  showForget();
}

/** Asks for a key, saying why: `refusal` is the service's `KeyRefused`. */
export function askForKey(refusal) {
  // A refused key is of no further use in this tab.
  if (storedKey()) forgetKey();
  showForget();
  $("key-message").textContent = refusal.message;
  $("key-form").dataset.status = String(refusal.status);
  $("key-form").hidden = false;
  $("key-input").focus();
}

function showForget() {
  $("forget-key").hidden = !storedKey();
}
