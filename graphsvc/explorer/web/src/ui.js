// Small DOM helpers shared by the views.

import { download } from "./api.js";
import { LABEL_COLOURS, OTHER_COLOUR } from "./graph.js";
import { urlOf } from "./state.js";

/** An element with attributes (`class`, `data-*`, `on*` handlers) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) {
      node.addEventListener(name.slice(2), value);
    } else if (name === "style") {
      Object.assign(node.style, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const DARK_TEXT = "#111111";

/** A node label on its colour, in dark or light text, whichever contrasts more. */
export function badge(label) {
  const colour = LABEL_COLOURS[label] || OTHER_COLOUR;
  const light = contrast(colour, "#ffffff") >= contrast(colour, DARK_TEXT);
  return el("span", { class: "badge", style: { background: colour, color: light ? "#ffffff" : DARK_TEXT } }, label);
}

/** The WCAG contrast ratio of two `#rrggbb` colours. */
function contrast(one, other) {
  const [high, low] = [luminance(one), luminance(other)].sort((a, b) => b - a);
  return (high + 0.05) / (low + 0.05);
}

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * A link to another view. It holds the view's address, so that it opens in a new
 * tab or is copied like any link; a plain click opens the view in place.
 */
export function viewLink(ctx, state, ...children) {
  const inPlace = (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    ctx.go(state);
  };
  return el("a", { href: urlOf(state), onclick: inPlace }, ...children);
}

/** Replaces the children of `parent`. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  for (const child of children.flat()) {
    if (child) parent.append(child);
  }
}

/** A date and time as the page shows it: the instant as sent, without seconds. */
export function when(text) {
  if (!text) return "";
  return text.replace("T", " ").slice(0, 16);
}

/** Buttons that download a view from the export endpoint, with the page's key. */
export function exportLinks(ctx, view, id, extra = {}) {
  const formats = [
    ["GraphML", "graphml"],
    ["GEXF", "gexf"],
    ["JSON", "json"],
    ["CSV", "csv"],
  ];
  const buttons = formats.map(([name, format]) => {
    const params = new URLSearchParams({ view, id, format, ...extra });
    const save = () => ctx.guard(() => download(params));
    return el("button", { type: "button", class: "export", "data-format": format, onclick: save }, name);
  });
  return el("p", { class: "exports" }, "Export: ", ...buttons.flatMap((b, i) => (i ? [" · ", b] : [b])));
}

/** A table of a node's properties. */
export function propertyTable(properties) {
  const rows = Object.entries(properties || {}).map(([name, value]) =>
    el("tr", {}, el("th", {}, name), el("td", {}, Array.isArray(value) ? value.join(", ") : String(value))),
  );
  return el("table", { class: "properties" }, el("tbody", {}, rows));
}
