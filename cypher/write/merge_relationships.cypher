// Draw relationships of one type between nodes that exist (written just before).
// :param pairs => [{source: 'PR-1', target: 'BR-1'}]
UNWIND $pairs AS pair
MATCH (source:$$Source$$ {id: pair.source})
MATCH (target:$$Target$$ {id: pair.target})
MERGE (source)-[:$$Type$$]->(target)
