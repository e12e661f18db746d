// Which of these ids name a node of one label. A write batch asks this about the
// nodes its records only reference: it needs to know whether to create stubs for
// them, not their properties.
// :param ids => ['IT-1', 'IT-2']
UNWIND $ids AS id
MATCH (n:$$Label$$ {id: id})
RETURN collect(id) AS ids
