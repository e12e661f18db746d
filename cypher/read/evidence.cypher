// Everything the evidence of these items rests on, in one round trip: the items with
// their product's brand, the shipments that carry them and their scans (only the
// fields the engine reads: a shipment's item list can be long); then every site those
// name, every party they and the sites' operators name, and those parties' grants
// from the items' brands, or from `brands` too (the brands of the items inside, when
// the ids are containers). Instants and dates come as ISO 8601 text.
// :param brands => []
// :param ids => ['IT-1']
UNWIND $ids AS id
MATCH (item:Item {id: id})
OPTIONAL MATCH (product:Product {id: item.product})
WITH collect({
  item: item {.*, produced_on: toString(item.produced_on)},
  brand: product.brand,
  shipments: COLLECT {
    MATCH (shipment:Shipment)-[:CARRIES]->(item)
    RETURN shipment {
      .id, .shipper, .consignee, .origin, .destination, .carrier,
      .event, .retracted_by, .delivery_event, .delivery_retracted_by,
      shipped_at: toString(shipment.shipped_at),
      delivered_at: toString(shipment.delivered_at)
    }
  },
  scans: COLLECT {
    MATCH (scan:Scan)-[:OF_ITEM]->(item)
    RETURN scan {
      .id, .item, .site, .step, .party, .event, .retracted_by, at: toString(scan.at)
    }
  }
}) AS items
CALL (items) {
  UNWIND items AS found
  WITH DISTINCT found.brand AS brand
  WHERE brand IS NOT NULL
  RETURN collect(brand) AS brands
}
CALL (items) {
  UNWIND items AS found
  UNWIND [found.item.produced_at] + [s IN found.shipments | s.origin]
    + [s IN found.shipments | s.destination] + [c IN found.scans | c.site] AS site_id
  WITH DISTINCT site_id
  MATCH (site:Site {id: site_id})
  RETURN collect(site {.*}) AS sites
}
CALL (items, sites) {
  // No UNION here: its de-duplication would key every row on the imported lists.
  WITH items, [site IN sites | site.operator] AS operators
  UNWIND items AS found
  UNWIND [s IN found.shipments | s.shipper] + [s IN found.shipments | s.consignee]
    + [s IN found.shipments | s.carrier] + [c IN found.scans | c.party] AS party_id
  WITH operators, collect(DISTINCT party_id) AS named
  UNWIND named + operators AS party_id
  WITH DISTINCT party_id
  MATCH (party:Party {id: party_id})
  RETURN collect(party {.*}) AS parties
}
CALL (parties, brands) {
  UNWIND parties AS party
  MATCH (grant:Authorization {party: party.id})
  WHERE grant.brand IN brands + $brands
  RETURN collect(grant {
    .*, valid_from: toString(grant.valid_from), valid_until: toString(grant.valid_until)
  }) AS grants
}
RETURN items, sites, parties, grants
