// Nodes that the store keeps beside the model's graph: saved findings, kept EPCIS
// events, and the counter that numbers write batches. (Pending markers are appended,
// one per node and batch, so they have no key: see indexes.cypher.)
CREATE CONSTRAINT IF NOT EXISTS FOR (finding:Finding) REQUIRE finding.id IS UNIQUE;
CREATE CONSTRAINT IF NOT EXISTS FOR (sequence:Sequence) REQUIRE sequence.name IS UNIQUE;
CREATE CONSTRAINT IF NOT EXISTS FOR (event:EpcisEvent) REQUIRE event.id IS UNIQUE;
