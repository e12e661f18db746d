// Remove relationships of one type whose reference property changed. The planner
// buffers the matches (an Eager step) before deleting; only changed references come
// here, a few rows per batch.
// Each pair is [source id, target id].
// :param pairs => [['PR-1', 'BR-1']]
UNWIND $pairs AS pair
MATCH (:$$Source$$ {id: pair[0]})-[rel:$$Type$$]->(:$$Target$$ {id: pair[1]})
DELETE rel
