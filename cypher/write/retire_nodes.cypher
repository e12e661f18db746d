// Remove placeholder nodes of one label whose references a batch moved elsewhere:
// only those still undescribed (lacking a field their kind always sets) and left
// with no relationship of the model. Links from findings go with them; the batch
// marked the findings' items pending, so those findings are evaluated again.
// :param ids => ['https://id.gs1.org/417/4012345000016']
// :param required => ['name', 'role']
// :param types => ['BY_PARTY', 'SHIPPED_BY', 'CONSIGNED_TO']
UNWIND $ids AS id
MATCH (n:$$Label$$ {id: id})
WHERE any(name IN $required WHERE n[name] IS NULL)
  AND NOT EXISTS { (n)-[rel]-() WHERE type(rel) IN $types }
DETACH DELETE n
RETURN collect(id) AS ids
