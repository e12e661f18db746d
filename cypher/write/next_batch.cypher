// The number of this write batch: one more than the last batch's, kept in the graph so
// that it survives restarts and is shared by every process that writes.
MERGE (sequence:Sequence {name: 'batch'})
SET sequence.value = coalesce(sequence.value, 0) + 1
RETURN sequence.value AS seq
