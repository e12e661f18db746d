// How many relationships one type has (from Neo4j's count store).
MATCH ()-[rel:$$Type$$]->()
RETURN count(rel) AS count
