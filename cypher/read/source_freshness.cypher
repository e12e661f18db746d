// Each source that has tried a load: when it last loaded successfully (null when
// never) and when it last tried at all.
MATCH (load:Load)
WITH load.source AS source,
     max(CASE WHEN load.outcome <> 'failed' THEN load.finished END) AS loaded,
     max(load.finished) AS attempted
ORDER BY source
RETURN collect({source: source, loaded: loaded, attempted: attempted}) AS sources
