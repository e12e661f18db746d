// Ids of nodes of one label that lack a field a record of their kind always sets:
// nodes only referenced so far.
// :param required => ['name']
MATCH (n:$$Label$$)
WHERE any(name IN $required WHERE n[name] IS NULL)
RETURN collect(n.id) AS ids
