// How many nodes are pending, and the newest batch that wrote one.
CALL () {
  MATCH (pending:Pending)
  RETURN count(pending) AS count
}
CALL () {
  MATCH (pending:Pending)
  RETURN max(pending.seq) AS upto
}
RETURN count, upto
