// The drawing: one cytoscape instance, its styles, and the colours the legend shows.

import cytoscape from "cytoscape";

export const LABEL_COLOURS = {
  Brand: "#6a1b9a",
  Party: "#1565c0",
  Site: "#00838f",
  Product: "#ad1457",
  Item: "#ef6c00",
  Shipment: "#5d4037",
  Scan: "#78909c",
  Authorization: "#558b2f",
};

/** A node whose label has no colour of its own. */
export const OTHER_COLOUR = "#546e7a";

export const JUDGEMENT_COLOURS = {
  authorized: "#2e7d32",
  unauthorized: "#c62828",
  "not judged": "#757575",
};

export const ROLE_COLOURS = {
  member: "#c62828",
  "entry point": "#f9a825",
  exit: "#6a1b9a",
};

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(caption)",
      "font-size": 10,
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "ellipsis",
      "text-max-width": 140,
      width: 22,
      height: 22,
      "background-color": OTHER_COLOUR,
      color: "#212121",
    },
  },
  ...Object.entries(LABEL_COLOURS).map(([label, colour]) => ({
    selector: `node[label = "${label}"]`,
    style: { "background-color": colour },
  })),
  { selector: "node[!described]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#424242" } },
  { selector: "node.start", style: { width: 34, height: 34, "font-weight": "bold" } },
  { selector: "node.expanded", style: { "border-width": 3, "border-color": "#212121" } },
  {
    selector: "node.more",
    style: {
      shape: "round-rectangle",
      width: 54,
      height: 20,
      "background-color": "#fff8e1",
      "border-width": 1,
      "border-color": "#f9a825",
      label: "data(caption)",
      "text-valign": "center",
      "text-margin-y": 0,
    },
  },
  {
    selector: "node.hop",
    style: {
      shape: "round-rectangle",
      width: 150,
      height: 54,
      "text-valign": "center",
      "text-margin-y": 0,
      "text-wrap": "wrap",
      "text-max-width": 140,
      color: "#ffffff",
      "font-size": 10,
    },
  },
  ...Object.entries(JUDGEMENT_COLOURS).map(([judgement, colour]) => ({
    selector: `node.hop[judgement = "${judgement}"]`,
    style: { "background-color": colour },
  })),
  ...Object.entries(ROLE_COLOURS).map(([role, colour]) => ({
    selector: `node.party[role = "${role}"]`,
    style: { "background-color": colour },
  })),
  { selector: 'node.party[role = "entry point"]', style: { shape: "diamond", width: 30, height: 30 } },
  { selector: 'node.party[role = "exit"]', style: { shape: "triangle", width: 28, height: 28 } },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "line-color": "#b0bec5",
      "target-arrow-color": "#b0bec5",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      "font-size": 8,
      color: "#546e7a",
    },
  },
  { selector: "edge.labelled", style: { label: "data(caption)", "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
  { selector: "edge.shipment", style: { width: 3, "line-color": "#c62828", "target-arrow-color": "#c62828" } },
  { selector: "edge.identifier", style: { width: 2, "line-style": "dashed", "line-color": "#6a1b9a", "target-arrow-shape": "none" } },
  { selector: "edge.more", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
  { selector: ":selected", style: { "overlay-color": "#ffd54f", "overlay-opacity": 0.35 } },
];

/** A cytoscape instance drawing into `container`. */
export function createGraph(container) {
  return cytoscape({
    container,
    style: STYLE,
    minZoom: 0.1,
    maxZoom: 3,
  });
}

/** A force-directed layout that keeps a few hundred nodes apart; existing positions
 * are kept as the starting point, so an expansion does not reshuffle everything. */
export function relayout(cy, { fresh = false } = {}) {
  const layout = cy.layout({
    name: "cose",
    animate: false,
    randomize: fresh,
    nodeRepulsion: () => 9000,
    idealEdgeLength: () => 70,
    numIter: cy.nodes().length > 300 ? 400 : 1000,
    fit: true,
    padding: 30,
  });
  layout.run();
  fitReadably(cy);
}

/** The most a fitted drawing is zoomed in: beyond it, labels only grow. */
export const READABLE_ZOOM = 1.2;
/** The margin a fitted drawing keeps around it, in pixels. */
export const FIT_PADDING = 40;

/** Fits the drawing in view, but never zooms past where labels stay their size. */
export function fitReadably(cy, padding = FIT_PADDING) {
  cy.fit(undefined, padding);
  if (cy.zoom() > READABLE_ZOOM) {
    cy.zoom(READABLE_ZOOM);
    cy.center();
  }
}
