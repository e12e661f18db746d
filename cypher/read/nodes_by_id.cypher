// Nodes of one label by id, with their element ids for the traversals that follow.
// Properties come as [name, value] pairs, with dates and instants (the fields named
// in `temporal`) as ISO 8601 text: converting the driver's temporal types is slow.
// Like every statement that finds many rows, it returns one row holding a list: the
// Python driver takes one large record much faster than many small ones.
// :param temporal => ['produced_on']
// :param ids => ['IT-1', 'IT-2']
UNWIND $ids AS id
MATCH (n:$$Label$$ {id: id})
RETURN collect({
  props: [name IN keys(n) |
    [name, CASE WHEN name IN $temporal THEN toString(n[name]) ELSE n[name] END]],
  element: elementId(n)
}) AS nodes
