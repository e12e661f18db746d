// One level of a breadth-first walk: for each node (by element id), its first `most`
// neighbours along the model's relationships, either direction, ordered by label and
// id, as [label, id, element id]. Neo4j orders text by UTF-16 code units, which puts
// characters above U+FFFF before those from U+E000 to U+FFFF; `exotic` says a node
// has neighbour ids with such characters, whose first `most` the caller then works
// out itself.
// :param nodes => ['4:...:0']
// :param types => ['OF_BRAND', 'CARRIES']
// :param most => 201
UNWIND $nodes AS element
MATCH (n)
WHERE elementId(n) = element
CALL (n) {
  MATCH (n)-[rel]-(neighbour)
  WHERE type(rel) IN $types
  WITH DISTINCT neighbour
  ORDER BY labels(neighbour)[0], neighbour.id
  RETURN
    collect([labels(neighbour)[0], neighbour.id, elementId(neighbour)])[..$most]
      AS neighbours,
    any(text IN collect(neighbour.id) WHERE text =~ '.*[\\x{E000}-\\x{10FFFF}].*')
      AS exotic
}
RETURN collect({element: element, neighbours: neighbours, exotic: exotic}) AS nodes
