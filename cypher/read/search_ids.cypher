// Search: the first `most` nodes of one label whose id starts with `prefix`, with
// their names. The node key's range index serves STARTS WITH.
// :param prefix => 'IT-0000117'
// :param most => 20
MATCH (n:$$Label$$)
WHERE n.id STARTS WITH $prefix
WITH n
ORDER BY n.id
LIMIT $most
RETURN collect([n.id, n.name]) AS nodes
