// The pending markers of the batches numbered `first` to `last`, as [label, id].
// :param first => 1
// :param last => 3
MATCH (pending:Pending)
WHERE $first <= pending.seq <= $last
RETURN collect([pending.label, pending.id]) AS keys
