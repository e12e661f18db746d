// Every node of one label, its properties as in nodes_by_id.cypher.
// :param temporal => ['produced_on']
MATCH (n:$$Label$$)
RETURN collect([name IN keys(n) |
  [name, CASE WHEN name IN $temporal THEN toString(n[name]) ELSE n[name] END]]) AS nodes
