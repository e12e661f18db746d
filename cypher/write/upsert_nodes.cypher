// Create or replace nodes of one label: every property is replaced, so a property
// left out of a row is removed. A stub (a node only referenced so far) has only `id`.
// Dates and instants arrive as ISO 8601 text and are stored as Neo4j temporal values,
// keeping the UTC offset: `$$Temporals$$` converts the label's date and instant fields
// (for Item it is `, n.produced_on = datetime(props.produced_on)`). Setting everything
// inside ON CREATE and ON MATCH keeps the planner from adding an Eager step, which a
// SET after the MERGE would need to rule out changing the `id` a later row merges on.
// :param nodes => [{id: 'IT-1', product: 'PR-1', produced_on: '2026-01-05T08:00:00+01:00'}]
UNWIND $nodes AS props
MERGE (n:$$Label$$ {id: props.id})
ON CREATE SET n = props$$Temporals$$
ON MATCH SET n = props$$Temporals$$
