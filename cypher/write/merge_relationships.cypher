// Draw relationships of one type between nodes that exist (written just before).
// Each pair is [source id, target id].
// :param pairs => [['PR-1', 'BR-1']]
UNWIND $pairs AS pair
MATCH (source:$$Source$$ {id: pair[0]})
MATCH (target:$$Target$$ {id: pair[1]})
MERGE (source)-[:$$Type$$]->(target)
