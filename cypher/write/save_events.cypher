// Keep EPCIS events whose ids are new (the store checked which are, in the same
// transaction). Times are microseconds since the epoch; `epcs`, `document` and
// `retraction` are JSON text; `all_epcs` and `direct_epcs` serve the EPC filters.
// :param events => [{id: 'urn:uuid:1', hash: 'ni:///sha-256;ab?ver=CBV2.0', type: 'ObjectEvent', event_time: 1700000000000000, epcs: '[]', document: '{}', all_epcs: [], direct_epcs: []}]
UNWIND $events AS row
MERGE (event:EpcisEvent {id: row.id})
ON CREATE SET event = row
