// The batches up to `upto` that left pending markers, as [batch, markers].
// :param upto => 10
MATCH (pending:Pending)
WHERE pending.seq <= $upto
WITH pending.seq AS seq, count(*) AS count
ORDER BY seq
RETURN collect([seq, count]) AS batches
