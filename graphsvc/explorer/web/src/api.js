// The service's GraphQL API and export downloads, all the page talks to.

import { checkAccess, keyHeaders } from "./auth.js";

const ENDPOINT = new URL("../graphql", window.location.href).pathname;
const EXPORT = new URL("../export", window.location.href).pathname;

/**
 * Runs a query; resolves to its data, rejects with the API's own messages, or with
 * `KeyRefused` when the service wants another key.
 */
export async function graphql(query, variables = {}) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      ...keyHeaders(),
    },
    body: JSON.stringify({ query, variables }),
  });
  await checkAccess(response);
  if (!response.ok) {
    throw new Error(`the service answered ${response.status}`);
  }
  const body = await response.json();
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  return body.data;
}

/**
 * Saves an export as a file. A plain link could not carry the key, so the page
 * fetches the file itself and hands the browser the bytes.
 */
export async function download(params) {
  const response = await fetch(`${EXPORT}?${params}`, { headers: keyHeaders() });
  await checkAccess(response);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error?.message || `the export answered ${response.status}`);
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || "export";
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after this task; free it once that is surely done.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** A query that touches no data: it shows whether the service takes the key. */
export const PING = "query { __typename }";

const NODE_FIELDS = "id label key caption described properties";

export const SEARCH = `query($text: String!) {
  search(text: $text, first: 12) { ${NODE_FIELDS} }
}`;

export const NEIGHBORHOOD = `query($id: ID!, $limit: Int!) {
  neighborhood(id: $id, depth: 1, limit: $limit) {
    nodes { ${NODE_FIELDS} }
    edges { id type source target }
    truncated
  }
}`;

export const PROVENANCE = `query($id: ID!) {
  provenance(itemId: $id) {
    item { id lot product { id name brand { id name } } }
    hops {
      party { id name role }
      site { id name country }
      from until confirmed authorized
      shipment { id }
    }
    findings { id kind at explanation party { id name } shipment { id } }
  }
}`;

export const FINDINGS = `query($brand: ID, $kinds: [FindingKind!], $after: String) {
  findings(brand: $brand, kinds: $kinds, first: 50, after: $after) {
    totalCount
    edges { node { id kind at explanation item { id } party { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const CLUSTER_FIELDS = `id itemCount
  members { id name country }
  links { source { id } target { id } kind evidence }
  brands { id name }
  entryPoints { id name country }
  exits { id name country }`;

export const CLUSTERS = `query($brand: ID) {
  distributorClusters(brand: $brand) { ${CLUSTER_FIELDS} }
}`;

export const FINDING_KINDS = [
  "UNAUTHORIZED_HOLDER",
  "AUTHORIZATION_NOT_IN_FORCE",
  "OUT_OF_TERRITORY",
  "BROKEN_CUSTODY",
  "CLONED_SERIAL",
  "UNKNOWN_ITEM",
  "REENTRY",
];
