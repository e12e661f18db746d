// Note the nodes a batch touched: their items' findings must be brought up to date.
// Markers are appended, never updated: a node written by several batches has one
// marker per batch, and readers fold the repeats.
// :param seq => 1
// Each key is [label, id].
// :param keys => [['Item', 'IT-1']]
UNWIND $keys AS key
CREATE (:Pending {seq: $seq, label: key[0], id: key[1]})
