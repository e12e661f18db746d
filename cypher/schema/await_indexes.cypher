// Indexes fill in the background; reads planned before then would scan instead.
// :param seconds => 300
CALL db.awaitIndexes($seconds)
