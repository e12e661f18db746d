// A node and its neighbours, expanded on click, with the fan-out capped.

import { NEIGHBORHOOD } from "../api.js";
import { relayout } from "../graph.js";
import { badge, el, exportLinks, fill, propertyTable } from "../ui.js";

export const FANOUT = 25;
/** The most neighbours one request asks for (the API allows 2,000 nodes). */
const MOST = 2000;

export async function showNode(ctx, state) {
  const { cy } = ctx;
  ctx.mode("graph");
  cy.elements().remove();
  await expand(ctx, state.id, FANOUT + 1, { start: true });
  for (const id of state.expand || []) {
    if (cy.getElementById(id).nonempty()) {
      await expand(ctx, id, FANOUT + 1);
    }
  }
  relayout(cy, { fresh: true });
  const start = cy.nodes(".start");
  if (start.nonempty()) {
    start.select();
    describe(ctx, start);
  }
}

/** Adds the neighbours of node `id` (at most `limit` nodes with it). */
export async function expand(ctx, id, limit, { start = false } = {}) {
  const { cy } = ctx;
  const data = await ctx.query(NEIGHBORHOOD, { id, limit });
  const found = data.neighborhood;
  if (!found.nodes.length) {
    throw new Error(`nothing has the id ${id}`);
  }
  const centre = found.nodes[0].id;
  cy.batch(() => {
    for (const node of found.nodes) {
      if (cy.getElementById(node.id).empty()) {
        cy.add({ group: "nodes", data: { ...node } });
      }
    }
    for (const edge of found.edges) {
      if (cy.getElementById(edge.id).empty()) {
        cy.add({ group: "edges", data: { ...edge, caption: edge.type } });
      }
    }
    const node = cy.getElementById(centre);
    node.addClass("expanded");
    node.data("limit", limit);
    if (start) node.addClass("start");
    cy.getElementById(`more:${centre}`).remove();
    if (found.truncated && limit < MOST) {
      cy.add({
        group: "nodes",
        classes: "more",
        data: { id: `more:${centre}`, caption: "+ more", of: centre, described: true },
      });
      cy.add({
        group: "edges",
        classes: "more",
        data: { id: `more-edge:${centre}`, source: centre, target: `more:${centre}` },
      });
    }
  });
  ctx.count();
  return centre;
}

/** The next, larger cap for a node whose neighbours were cut. */
export function nextLimit(node) {
  return Math.min((node.data("limit") || FANOUT + 1) * 4, MOST);
}

/** Shows a node's properties, and what can be opened from it, in the side panel. */
export function describe(ctx, node) {
  const data = node.data();
  const actions = [];
  if (data.label === "Item") {
    actions.push(
      el("button", { id: "open-provenance", type: "button", onclick: () => ctx.go({ view: "provenance", id: data.key }) }, "Open provenance"),
    );
  }
  if (data.label === "Brand") {
    actions.push(
      el("button", { id: "open-findings", type: "button", onclick: () => ctx.go({ view: "findings", brand: data.key }) }, "Findings of this brand"),
      el("button", { id: "open-brand-clusters", type: "button", onclick: () => ctx.go({ view: "clusters", brand: data.key }) }, "Clusters of this brand"),
    );
  }
  const more = ctx.cy.getElementById(`more:${data.id}`);
  if (more.nonempty()) {
    actions.push(el("button", { id: "more-button", type: "button", onclick: () => ctx.expandMore(more) }, "Show more neighbours"));
  }
  fill(
    ctx.panel,
    el("h2", {}, badge(data.label), " ", data.caption),
    el("p", { class: "key" }, data.key, data.described ? "" : " (referenced, never described)"),
    actions.length ? el("p", { class: "actions" }, actions) : null,
    propertyTable(data.properties),
    exportLinks(ctx, "neighborhood", data.id),
  );
}
