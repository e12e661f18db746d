// Remove relationships of one type whose reference property changed. The planner
// buffers the matches (an Eager step) before deleting; only changed references come
// here, a few rows per batch.
// :param pairs => [{source: 'PR-1', target: 'BR-1'}]
UNWIND $pairs AS pair
MATCH (:$$Source$$ {id: pair.source})-[rel:$$Type$$]->(:$$Target$$ {id: pair.target})
DELETE rel
