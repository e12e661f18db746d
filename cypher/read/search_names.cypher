// Search: the first `most` nodes of one label whose name contains `text`, ignoring
// case (`lowered` is the text in lower case). Only labels of the network (brands,
// parties, sites, products) have names, so the scan stays small.
// :param lowered => 'fenina'
// :param most => 20
MATCH (n:$$Label$$)
WHERE toLower(n.name) CONTAINS $lowered
WITH n
ORDER BY n.id
LIMIT $most
RETURN collect([n.id, n.name]) AS nodes
