// Loads, newest first (ids sort as loads started), after the load `$after`, filtered
// by source and start time; null parameters do not filter.
// :param after => null
// :param source => 'partner-a'
// :param since => '2026-03-01T00:00:00.000000+00:00'
// :param limit => 50
MATCH (load:Load)
WHERE ($after IS NULL OR load.id < $after)
  AND ($source IS NULL OR load.source = $source)
  AND ($since IS NULL OR load.started >= $since)
WITH load
ORDER BY load.id DESC
LIMIT $limit
RETURN collect(load {.*}) AS loads
