// Items whose evidence includes any of the given nodes, listed per label (changed
// items count themselves, without a query). A party reaches its items through the
// sites it operates too: pass those sites in `sites` (sites_operated_by.cypher), and
// the parties of changed authorizations in `parties`.
// :param shipments => ['SH-1']
// :param scans => []
// :param products => []
// :param brands => []
// :param parties => []
// :param sites => []
CALL () {
  UNWIND $shipments AS id
  MATCH (:Shipment {id: id})-[:CARRIES]->(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $scans AS id
  MATCH (:Scan {id: id})-[:OF_ITEM]->(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $products AS id
  MATCH (:Product {id: id})<-[:OF_PRODUCT]-(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $brands AS id
  MATCH (:Brand {id: id})<-[:OF_BRAND]-(:Product)<-[:OF_PRODUCT]-(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $parties AS id
  MATCH (:Party {id: id})<-[:SHIPPED_BY|CONSIGNED_TO|CARRIED_BY]-(:Shipment)-[:CARRIES]->(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $parties AS id
  MATCH (:Party {id: id})<-[:BY_PARTY]-(:Scan)-[:OF_ITEM]->(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $sites AS id
  MATCH (:Site {id: id})<-[:PRODUCED_AT]-(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $sites AS id
  MATCH (:Site {id: id})<-[:FROM_SITE|TO_SITE]-(:Shipment)-[:CARRIES]->(item:Item)
  RETURN item.id AS id
  UNION
  UNWIND $sites AS id
  MATCH (:Site {id: id})<-[:AT_SITE]-(:Scan)-[:OF_ITEM]->(item:Item)
  RETURN item.id AS id
}
RETURN collect(DISTINCT id) AS ids
