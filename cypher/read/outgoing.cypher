// The model's relationships that leave these nodes (by element id), as
// [source element id, type, target element id].
// :param nodes => ['4:...:0']
// :param types => ['OF_BRAND', 'CARRIES']
UNWIND $nodes AS element
MATCH (n)-[rel]->(target)
WHERE elementId(n) = element AND type(rel) IN $types
RETURN collect([element, type(rel), elementId(target)]) AS edges
