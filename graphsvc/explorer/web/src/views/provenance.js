// An item's custody chain in time order, each hop coloured by its judgement, and
// the item's findings beside it.

import { PROVENANCE } from "../api.js";
import { FIT_PADDING, fitReadably, JUDGEMENT_COLOURS, READABLE_ZOOM } from "../graph.js";
import { el, exportLinks, fill, viewLink, when } from "../ui.js";

/** Where hop boxes (150 by 54 pixels, as graph.js draws them) are put apart. */
const STEP = { x: 220, y: 110 };
const BOX = { width: 150, height: 54 };

/**
 * How many hops a row of the drawing holds: the count that lets it be fitted
 * into `cy` at the largest zoom, so that the labels stay readable. Of counts as
 * good, the one with the fewest rows.
 */
function hopsPerRow(cy, hops) {
  let best = 1;
  let bestZoom = 0;
  for (let columns = 1; columns <= Math.max(hops, 1); columns += 1) {
    const rows = Math.ceil(hops / columns);
    const width = (columns - 1) * STEP.x + BOX.width;
    const height = (rows - 1) * STEP.y + BOX.height;
    const zoom = Math.min(
      READABLE_ZOOM,
      (cy.width() - 2 * FIT_PADDING) / width,
      (cy.height() - 2 * FIT_PADDING) / height,
    );
    if (zoom >= bestZoom) {
      best = columns;
      bestZoom = zoom;
    }
  }
  return best;
}

export function judgement(authorized) {
  if (authorized === true) return "authorized";
  if (authorized === false) return "unauthorized";
  return "not judged";
}

export async function showProvenance(ctx, state) {
  const { cy } = ctx;
  ctx.mode("graph");
  const data = await ctx.query(PROVENANCE, { id: state.id });
  const found = data.provenance;
  if (!found) {
    throw new Error(`no item has the id ${state.id}`);
  }

  cy.elements().remove();
  const perRow = hopsPerRow(cy, found.hops.length);
  cy.batch(() => {
    found.hops.forEach((hop, index) => {
      const order = index + 1;
      const party = hop.party ? hop.party.name || hop.party.id : "unknown holder";
      const place = hop.site ? hop.site.country || hop.site.id : "?";
      cy.add({
        group: "nodes",
        classes: "hop",
        data: {
          id: `hop-${order}`,
          caption: `${order}. ${party}\n${place} · ${when(hop.from).slice(0, 10)}`,
          judgement: judgement(hop.authorized),
          described: true,
          party: hop.party ? hop.party.id : null,
        },
        position: { x: (index % perRow) * STEP.x, y: Math.floor(index / perRow) * STEP.y },
      });
      if (index > 0) {
        cy.add({
          group: "edges",
          classes: "labelled",
          data: {
            id: `step-${order}`,
            source: `hop-${index}`,
            target: `hop-${order}`,
            caption: hop.shipment ? hop.shipment.id : "",
          },
        });
      }
    });
  });
  fitReadably(cy);
  ctx.count();

  const item = found.item;
  const product = item.product;
  fill(
    ctx.panel,
    el("h2", {}, "Provenance of ", item.id),
    product
      ? el("p", { class: "key" }, product.name || product.id, product.brand ? ` · ${product.brand.name || product.brand.id}` : "")
      : null,
    el("h3", {}, `Custody chain (${found.hops.length} hops)`),
    el("ol", { id: "hops" }, found.hops.map((hop, index) => hopItem(ctx, hop, index + 1))),
    el("h3", {}, `Findings (${found.findings.length})`),
    found.findings.length
      ? el(
          "ul",
          { id: "findings" },
          found.findings.map((f) =>
            el("li", { class: "finding", "data-kind": f.kind }, el("strong", {}, f.kind), " ", when(f.at), el("p", {}, f.explanation)),
          ),
        )
      : el("p", { id: "findings", class: "none" }, "Nothing suspicious."),
    el("p", { class: "actions" }, el("button", { type: "button", onclick: () => ctx.go({ view: "node", id: `Item:${item.id}` }) }, "Show the item's neighbours")),
    exportLinks(ctx, "provenance", item.id),
  );
}

function hopItem(ctx, hop, order) {
  const verdict = judgement(hop.authorized);
  const party = hop.party;
  return el(
    "li",
    { class: "hop", "data-judgement": verdict, "data-party": party ? party.id : "" },
    el("span", { class: "swatch", title: verdict, style: { backgroundColor: JUDGEMENT_COLOURS[verdict] } }),
    party
      ? viewLink(ctx, { view: "node", id: `Party:${party.id}` }, party.name || party.id)
      : "unknown holder",
    el(
      "div",
      { class: "detail" },
      [hop.site ? `${hop.site.name || hop.site.id}, ${hop.site.country || "?"}` : "", `${when(hop.from)} → ${when(hop.until) || "now"}`, hop.shipment ? `via ${hop.shipment.id}` : "", verdict]
        .filter(Boolean)
        .join(" · "),
    ),
    el("span", { class: "order", hidden: true }, String(order)),
  );
}
