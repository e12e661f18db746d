// Those of the given content hashes that some successful load of `$source` (of any
// source when null) has loaded.
// :param hashes => ['ab12', 'cd34']
// :param source => 'partner-a'
UNWIND $hashes AS hash
OPTIONAL MATCH (load:Load {content_hash: hash})
WHERE load.outcome <> 'failed' AND ($source IS NULL OR load.source = $source)
WITH hash, count(load) AS loads
WHERE loads > 0
RETURN collect(hash) AS hashes
