// Nodes that the store keeps beside the model's graph: saved findings, kept EPCIS
// events, and the counter that numbers write batches. (Pending markers are appended,
// one per node and batch, so they have no key: see indexes.cypher.)
CREATE CONSTRAINT IF NOT EXISTS FOR (finding:Finding) REQUIRE finding.id IS UNIQUE;
CREATE CONSTRAINT IF NOT EXISTS FOR (sequence:Sequence) REQUIRE sequence.name IS UNIQUE;
CREATE CONSTRAINT IF NOT EXISTS FOR (event:EpcisEvent) REQUIRE event.id IS UNIQUE;
// The load history: one :Load node per file loaded or tried, found by id and by the
// hash of the file's content.
CREATE CONSTRAINT IF NOT EXISTS FOR (load:Load) REQUIRE load.id IS UNIQUE;
CREATE INDEX IF NOT EXISTS FOR (load:Load) ON (load.content_hash);
