// Create or replace nodes of one label: every property is replaced, so a property
// left out of a row is removed. A stub (a node only referenced so far) has only `id`.
// Dates and instants arrive as ISO 8601 text (the names of such fields are in `dates`
// and `instants`) and are stored as Neo4j temporal values, keeping the UTC offset.
// :param dates => []
// :param instants => ['produced_on']
// :param nodes => [{id: 'IT-1', product: 'PR-1', produced_on: '2026-01-05T08:00:00+01:00'}]
UNWIND $nodes AS props
MERGE (n:$$Label$$ {id: props.id})
SET n = props
FOREACH (name IN [name IN $instants WHERE props[name] IS NOT NULL] |
  SET n[name] = datetime(props[name])
)
FOREACH (name IN [name IN $dates WHERE props[name] IS NOT NULL] |
  SET n[name] = date(props[name])
)
