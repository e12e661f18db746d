// An item's custody chain in time order, each hop coloured by its judgement, and
// the item's findings beside it.

import { PROVENANCE } from "../api.js";
import { fitReadably, JUDGEMENT_COLOURS } from "../graph.js";
import { el, exportLinks, fill, viewLink, when } from "../ui.js";

const PER_ROW = 6;

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
        position: { x: (index % PER_ROW) * 220, y: Math.floor(index / PER_ROW) * 110 },
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
