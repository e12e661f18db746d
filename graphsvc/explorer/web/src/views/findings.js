// A brand's findings, filtered by kind, a page at a time.

import { FINDING_KINDS, FINDINGS } from "../api.js";
import { el, fill, viewLink, when } from "../ui.js";

export async function showFindings(ctx, state) {
  ctx.mode("list");
  const kinds = state.kinds && state.kinds.length ? state.kinds : null;
  const brand = state.brand || null;
  const pages = [];
  let after = null;

  const notice = el("p", { id: "findings-notice", role: "alert", hidden: true }, "Choose at least one kind.");
  const form = el(
    "form",
    {
      id: "findings-filter",
      onsubmit: (event) => {
        event.preventDefault();
        const chosen = FINDING_KINDS.filter((k) => form.elements[k].checked);
        // No kind at all would read as every kind, the opposite of what was asked.
        notice.hidden = chosen.length > 0;
        if (!chosen.length) return;
        ctx.go({ view: "findings", brand: form.elements.brand.value.trim(), kinds: chosen.length === FINDING_KINDS.length ? [] : chosen });
      },
    },
    el("label", {}, "Brand ", el("input", { name: "brand", value: brand || "", placeholder: "every brand" })),
    el(
      "fieldset",
      {},
      el("legend", {}, "Kinds"),
      FINDING_KINDS.map((kind) =>
        el("label", { class: "kind" }, el("input", { type: "checkbox", name: kind, checked: !kinds || kinds.includes(kind) }), ` ${kind}`),
      ),
    ),
    el("button", { type: "submit" }, "Apply"),
    notice,
  );
  const summary = el("p", { id: "findings-count" });
  const body = el("tbody");
  const next = el("button", { id: "next-page", type: "button", hidden: true }, "Next 50");
  fill(
    ctx.listing,
    el("h2", {}, "Findings", brand ? ` of ${brand}` : ""),
    form,
    summary,
    el("table", { class: "findings" }, el("thead", {}, el("tr", {}, ["Kind", "When", "Item", "Party", "Explanation"].map((h) => el("th", {}, h)))), body),
    next,
  );
  fill(ctx.panel, el("h2", {}, "Findings"), el("p", {}, "Pick an item to see its custody chain."));

  async function load() {
    const data = await ctx.query(FINDINGS, { brand, kinds, after });
    const page = data.findings;
    pages.push(page);
    summary.textContent = `${page.totalCount} finding${page.totalCount === 1 ? "" : "s"}`;
    for (const { node } of page.edges) {
      body.append(
        el(
          "tr",
          { class: "finding", "data-kind": node.kind },
          el("td", {}, node.kind),
          el("td", {}, when(node.at)),
          el("td", {}, node.item ? viewLink(ctx, { view: "provenance", id: node.item.id }, node.item.id) : ""),
          el("td", {}, node.party ? node.party.name || node.party.id : ""),
          el("td", { class: "explanation" }, node.explanation),
        ),
      );
    }
    after = page.pageInfo.endCursor;
    next.hidden = !page.pageInfo.hasNextPage;
  }

  next.addEventListener("click", () => ctx.guard(load));
  await load();
}
