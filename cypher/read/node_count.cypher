// How many nodes one label has (from Neo4j's count store).
MATCH (n:$$Label$$)
RETURN count(n) AS count
