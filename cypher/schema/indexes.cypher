// Lookups by a property other than the id: an item's evidence finds the grants of its
// parties, findings are listed per item, party and brand, a refresh takes the
// pending nodes up to a batch number, and EPCIS events are paged by event time.
CREATE INDEX IF NOT EXISTS FOR (grant:Authorization) ON (grant.party);
CREATE INDEX IF NOT EXISTS FOR (finding:Finding) ON (finding.item);
CREATE INDEX IF NOT EXISTS FOR (finding:Finding) ON (finding.party);
CREATE INDEX IF NOT EXISTS FOR (finding:Finding) ON (finding.brand);
CREATE INDEX IF NOT EXISTS FOR (pending:Pending) ON (pending.seq);
CREATE INDEX IF NOT EXISTS FOR (event:EpcisEvent) ON (event.event_time);
