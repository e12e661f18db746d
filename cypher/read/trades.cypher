// Shipments shipped by or consigned to these parties (instants as ISO 8601 text).
// :param parties => ['PA-1']
UNWIND $parties AS id
MATCH (:Party {id: id})<-[:SHIPPED_BY|CONSIGNED_TO]-(shipment:Shipment)
WITH DISTINCT shipment
RETURN collect(shipment {
  .*,
  shipped_at: toString(shipment.shipped_at),
  delivered_at: toString(shipment.delivered_at)
}) AS shipments
