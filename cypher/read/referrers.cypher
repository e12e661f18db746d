// The ids of the nodes whose reference field of one relationship type names a node:
// the records to re-point when that node, a placeholder, gives way to a feed record.
// :param id => 'https://id.gs1.org/414/4012345000016'
MATCH (source:$$Source$$)-[:$$Type$$]->(:$$Target$$ {id: $id})
RETURN collect(source.id) AS ids
