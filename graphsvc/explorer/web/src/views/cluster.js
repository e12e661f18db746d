// Distributor clusters: the list, and one cluster drawn with its members, the links
// that join them, and the parties goods enter and leave by.

import { CLUSTERS } from "../api.js";
import { fitReadably } from "../graph.js";
import { el, exportLinks, fill, viewLink } from "../ui.js";

const SHIPMENT = "shipment";

async function clusters(ctx, brand) {
  const data = await ctx.query(CLUSTERS, { brand: brand || null });
  return data.distributorClusters;
}

export async function showClusters(ctx, state) {
  ctx.mode("list");
  const found = await clusters(ctx, state.brand);
  const rows = found.map((cluster) =>
    el(
      "tr",
      { class: "cluster", "data-id": cluster.id },
      el("td", {}, viewLink(ctx, { view: "cluster", id: cluster.id, brand: state.brand }, cluster.id)),
      el("td", {}, String(cluster.members.length)),
      el("td", {}, String(cluster.itemCount)),
      el("td", {}, cluster.members.map((m) => m.name || m.id).join(", ")),
      el("td", {}, cluster.brands.map((b) => b.name || b.id).join(", ")),
    ),
  );
  fill(
    ctx.listing,
    el("h2", {}, "Distributor clusters", state.brand ? ` of ${state.brand}` : ""),
    el("p", {}, `${found.length} cluster${found.length === 1 ? "" : "s"} of unauthorized distributors, largest first.`),
    el("table", { id: "clusters" }, el("thead", {}, el("tr", {}, ["Cluster", "Members", "Items", "Who", "Brands"].map((h) => el("th", {}, h)))), el("tbody", {}, rows)),
  );
  fill(ctx.panel, el("h2", {}, "Clusters"), el("p", {}, "Open a cluster to see its members, links, entry points and exits."));
}

export async function showCluster(ctx, state) {
  const { cy } = ctx;
  ctx.mode("graph");
  const cluster = (await clusters(ctx, state.brand)).find((c) => c.id === state.id);
  if (!cluster) {
    throw new Error(`no cluster has the id ${state.id}`);
  }

  const radius = Math.max(110, cluster.members.length * 28);
  const centre = { x: radius + 220, y: 0 };
  const column = (parties, x) => parties.map((p, i) => ({ party: p, position: { x, y: (i - (parties.length - 1) / 2) * 80 } }));
  const placed = [
    ...cluster.members.map((p, i) => {
      const angle = (2 * Math.PI * i) / cluster.members.length - Math.PI / 2;
      return { party: p, role: "member", position: { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) } };
    }),
    ...column(cluster.entryPoints, 0).map((p) => ({ ...p, role: "entry point" })),
    ...column(cluster.exits, centre.x * 2).map((p) => ({ ...p, role: "exit" })),
  ];

  cy.elements().remove();
  cy.batch(() => {
    for (const { party, role, position } of placed) {
      const id = `Party:${party.id}`;
      if (cy.getElementById(id).nonempty()) continue;
      cy.add({
        group: "nodes",
        classes: "party",
        data: { id, label: "Party", key: party.id, caption: party.name || party.id, role, described: true },
        position,
      });
    }
    cluster.links.forEach((link, index) => {
      const kind = link.kind === SHIPMENT ? "shipment" : "identifier";
      cy.add({
        group: "edges",
        classes: `${kind} labelled`,
        data: {
          id: `link-${index}`,
          source: `Party:${link.source.id}`,
          target: `Party:${link.target.id}`,
          kind: link.kind,
          caption: link.kind === SHIPMENT ? link.evidence : `${link.kind}: ${link.evidence}`,
        },
      });
    });
  });
  fitReadably(cy);
  ctx.count();

  const party = (p) => el("li", {}, viewLink(ctx, { view: "node", id: `Party:${p.id}` }, p.name || p.id), p.country ? ` (${p.country})` : "");
  fill(
    ctx.panel,
    el("h2", {}, "Cluster ", cluster.id),
    el("p", { class: "key" }, `${cluster.itemCount} items · brands: ${cluster.brands.map((b) => b.name || b.id).join(", ")}`),
    el("h3", {}, `Members (${cluster.members.length})`),
    el("ul", { id: "members" }, cluster.members.map(party)),
    el("h3", {}, `Links (${cluster.links.length})`),
    el(
      "ul",
      { id: "links" },
      cluster.links.map((l) => el("li", { class: "link", "data-kind": l.kind }, `${l.source.id} → ${l.target.id}: ${l.kind} ${l.evidence}`)),
    ),
    el("h3", {}, `Entry points (${cluster.entryPoints.length})`),
    el("ul", { id: "entry-points" }, cluster.entryPoints.map(party)),
    el("h3", {}, `Exits (${cluster.exits.length})`),
    el("ul", { id: "exits" }, cluster.exits.map(party)),
    exportLinks(ctx, "cluster", cluster.id, state.brand ? { brand: state.brand } : {}),
  );
}
