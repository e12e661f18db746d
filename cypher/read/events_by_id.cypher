// Kept EPCIS events by id.
// :param ids => ['urn:uuid:1']
MATCH (event:EpcisEvent)
WHERE event.id IN $ids
RETURN collect(event {.*}) AS events
