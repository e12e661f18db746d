// Forget up to `limit` pending nodes of batches up to `upto`; run until it deletes none.
// :param upto => 1
// :param limit => 10000
MATCH (pending:Pending)
WHERE pending.seq <= $upto
WITH pending LIMIT $limit
DELETE pending
RETURN count(*) AS deleted
