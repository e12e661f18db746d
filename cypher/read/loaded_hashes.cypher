// Those of the given content hashes that some successful load has loaded.
// :param hashes => ['ab12', 'cd34']
UNWIND $hashes AS hash
OPTIONAL MATCH (load:Load {content_hash: hash})
WHERE load.outcome <> 'failed'
WITH hash, count(load) AS loads
WHERE loads > 0
RETURN collect(hash) AS hashes
