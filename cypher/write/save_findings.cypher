// Save findings as nodes linked to what they are about, so that they can be browsed
// beside the graph. A finding's id is a hash of its content; `at` is ISO 8601 text.
// :param findings => [{id: 'f1', kind: 'UNAUTHORIZED_HOLDER', item: 'IT-1', party: 'PA-1', explanation: 'x', refs: []}]
UNWIND $findings AS props
MERGE (finding:Finding {id: props.id})
SET finding = props, finding.at = datetime(props.at)
WITH finding
CALL (finding) {
  MATCH (item:Item {id: finding.item})
  MERGE (finding)-[:ABOUT]->(item)
}
CALL (finding) {
  MATCH (party:Party {id: finding.party})
  MERGE (finding)-[:CONCERNS]->(party)
}
CALL (finding) {
  MATCH (shipment:Shipment {id: finding.shipment})
  MERGE (finding)-[:IN_SHIPMENT]->(shipment)
}
