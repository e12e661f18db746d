// Every relationship of one type, as [source id, target id].
MATCH (source:$$Source$$)-[:$$Type$$]->(target:$$Target$$)
RETURN collect([source.id, target.id]) AS pairs
