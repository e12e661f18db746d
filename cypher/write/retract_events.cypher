// Mark kept events as retracted by an error declaration, unless they are already.
// :param retractions => [{id: 'urn:uuid:1', retraction: '{"declared_at": 0, "reason": null, "corrective_event_ids": []}'}]
UNWIND $retractions AS row
MATCH (event:EpcisEvent {id: row.id})
WHERE event.retraction IS NULL
SET event.retraction = row.retraction
