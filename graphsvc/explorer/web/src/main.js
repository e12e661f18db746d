// The explorer page: search, the views, and the URL that reopens them.

import { graphql, PING, SEARCH } from "./api.js";
import { KeyRefused } from "./auth.js";
import { createGraph, JUDGEMENT_COLOURS, LABEL_COLOURS, relayout, ROLE_COLOURS } from "./graph.js";
import { askForKey, setUpKeyForm } from "./keyform.js";
import { readState, writeState } from "./state.js";
import { badge, el, fill, viewLink } from "./ui.js";
import { showCluster, showClusters } from "./views/cluster.js";
import { showFindings } from "./views/findings.js";
import { describe, expand, nextLimit, showNode } from "./views/node.js";
import { showProvenance } from "./views/provenance.js";

const VIEWS = {
  node: showNode,
  provenance: showProvenance,
  findings: showFindings,
  clusters: showClusters,
  cluster: showCluster,
};

const $ = (id) => document.getElementById(id);
const cy = createGraph($("graph"));
let busy = 0;
/** How many views were opened; a view's work checks it to know it is still shown. */
let opened = 0;

/** The view a request was made for is no longer on screen; its answer is dropped. */
class Superseded extends Error {}

const ctx = {
  cy,
  panel: $("panel"),
  listing: $("listing"),
  /** Shows the drawing or the list in the main area. */
  mode(kind) {
    $("canvas").hidden = kind !== "graph";
    $("listing").hidden = kind !== "list";
    if (kind === "graph") cy.resize();
  },
  /** Opens another view, as a new entry in the history. */
  go(state) {
    writeState(state);
    route();
  },
  count() {
    const nodes = cy.nodes().not(".more").length;
    const edges = cy.edges().not(".more").length;
    $("counts").textContent = `${nodes} nodes · ${edges} relationships`;
    $("counts").dataset.nodes = String(nodes);
  },
  async expandMore(more) {
    const node = cy.getElementById(more.data("of"));
    const view = forThisView();
    await guard(async () => {
      await expand(view, node.id(), nextLimit(node));
      relayout(cy);
      describe(ctx, node);
    });
  },
  guard,
};

/**
 * The context for work done for the view now on screen. Its `query` fails with
 * `Superseded` once another view opens, so a late answer never draws over it.
 */
function forThisView() {
  const at = opened;
  const stillShown = () => {
    if (at !== opened) throw new Superseded();
  };
  return {
    ...ctx,
    async query(query, variables) {
      stillShown();
      try {
        return await graphql(query, variables);
      } finally {
        // A failure of a view left meanwhile is of no interest either.
        stillShown();
      }
    },
  };
}

/**
 * Runs `work`, marking the page busy meanwhile and showing any error; a refused
 * key brings up the key form instead.
 */
async function guard(work) {
  busy += 1;
  document.body.dataset.busy = "true";
  $("error").hidden = true;
  try {
    await work();
  } catch (error) {
    if (error instanceof Superseded) {
      // The view now on screen shows its own state and errors.
    } else if (error instanceof KeyRefused) {
      // What a refused key was shown before must not stay on screen either.
      cy.elements().remove();
      fill(ctx.panel);
      fill(ctx.listing);
      fill($("results"));
      $("results").hidden = true;
      ctx.mode("list");
      askForKey(error);
    } else {
      $("error").textContent = error.message;
      $("error").hidden = false;
    }
  } finally {
    busy -= 1;
    if (!busy) document.body.dataset.busy = "false";
  }
}

async function route() {
  opened += 1;
  const state = readState();
  const name = VIEWS[state.view] ? state.view : null;
  document.body.dataset.view = name || "home";
  $("permalink").href = window.location.href;
  $("results").hidden = true;
  // Nothing of the previous view stays, even when this one fails to load.
  cy.elements().remove();
  fill(ctx.panel);
  fill(ctx.listing);
  const view = forThisView();
  await guard(async () => (name ? VIEWS[name](view, state) : home(view)));
}

async function home(view) {
  // The home page shows no data, so ask now whether the service wants a key.
  await view.query(PING);
  ctx.mode("list");
  fill(
    ctx.listing,
    el("h2", {}, "Where did it leak?"),
    el("p", {}, "Search an item, a party, a site, a shipment or a brand by its id or its name, then click nodes to expand what is around them."),
    el("p", {}, "Or open the ", el("a", { href: "?view=clusters" }, "distributor clusters"), ", or a brand's findings from the brand's page."),
  );
  fill(ctx.panel, el("h2", {}, "graphsvc explorer"));
}

cy.on("tap", "node", (event) => {
  const node = event.target;
  if (node.hasClass("more")) {
    ctx.expandMore(node);
    return;
  }
  const state = readState();
  if (state.view !== "node") {
    const key = node.data("label") ? node.id() : null;
    if (node.hasClass("hop") && node.data("party")) {
      ctx.go({ view: "node", id: `Party:${node.data("party")}` });
    } else if (key && state.view === "cluster") {
      describeParty(node);
    }
    return;
  }
  describe(ctx, node);
  if (node.hasClass("expanded")) return;
  const view = forThisView();
  guard(async () => {
    await expand(view, node.id(), 26);
    relayout(cy);
    const expanded = [...(state.expand || []), node.id()];
    writeState({ ...state, expand: expanded }, { replace: true });
    $("permalink").href = window.location.href;
    describe(ctx, node);
  });
});

function describeParty(node) {
  const role = node.data("role");
  const note = el("p", { id: "selected-party" }, `${node.data("caption")} (${node.data("key")}) is ${role === "member" ? "a member" : `an ${role}`}. `, viewLink(ctx, { view: "node", id: node.id() }, "Show its neighbours"));
  const old = $("selected-party");
  if (old) old.remove();
  ctx.panel.prepend(note);
}

// -- search -----------------------------------------------------------------------

let searchTimer = null;
let searchSeq = 0;

async function search(text) {
  const seq = ++searchSeq;
  const results = $("results");
  if (!text.trim()) {
    results.hidden = true;
    return;
  }
  await guard(async () => {
    const data = await graphql(SEARCH, { text: text.trim() });
    if (seq !== searchSeq) return;
    fill(
      results,
      data.search.length
        ? data.search.map((node) =>
            el(
              "li",
              { class: "result", "data-id": node.id, tabindex: 0, onclick: () => pick(node) , onkeydown: (e) => { if (e.key === "Enter") pick(node); } },
              badge(node.label),
              " ",
              node.caption,
              node.caption !== node.key ? el("small", {}, ` ${node.key}`) : null,
            ),
          )
        : [el("li", { class: "none" }, "Nothing found")],
    );
    results.hidden = false;
  });
}

function pick(node) {
  $("results").hidden = true;
  $("search").value = node.key;
  ctx.go({ view: "node", id: node.id });
}

$("search").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search(event.target.value), 200);
});
$("search").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    clearTimeout(searchTimer);
    search(event.target.value);
  }
  if (event.key === "Escape") $("results").hidden = true;
});
// A press anywhere else closes the results, as a menu closes.
document.addEventListener("pointerdown", (event) => {
  if (!event.target.closest("#search, #results")) $("results").hidden = true;
});

// -- legend -------------------------------------------------------------------------

function swatch(colour, shape = "dot") {
  return el("span", { class: `swatch ${shape}`, style: { backgroundColor: colour } });
}

fill(
  $("legend"),
  el("h3", {}, "Legend"),
  el("ul", {}, Object.entries(LABEL_COLOURS).map(([label, colour]) => el("li", {}, swatch(colour), label))),
  el("h4", {}, "Custody hops"),
  el("ul", {}, Object.entries(JUDGEMENT_COLOURS).map(([verdict, colour]) => el("li", { "data-judgement": verdict }, swatch(colour, "box"), verdict))),
  el("h4", {}, "Clusters"),
  el("ul", {}, [
    ...Object.entries(ROLE_COLOURS).map(([role, colour]) => el("li", {}, swatch(colour), role)),
    el("li", {}, el("span", { class: "line shipment" }), "shipment between members"),
    el("li", {}, el("span", { class: "line identifier" }), "shared phone, email, tax id or address"),
  ]),
  el("h4", {}, "Other"),
  el("ul", {}, [
    el("li", {}, el("span", { class: "swatch dot dashed" }), "referenced, never described"),
    el("li", {}, el("span", { class: "swatch more" }), "+ more: the cap cut the neighbours"),
  ]),
);

$("legend-toggle").addEventListener("click", () => {
  $("legend").hidden = !$("legend").hidden;
  $("legend-toggle").setAttribute("aria-expanded", String(!$("legend").hidden));
});
setUpKeyForm(route);
window.addEventListener("popstate", route);
window.explorer = { cy, readState };
route();
