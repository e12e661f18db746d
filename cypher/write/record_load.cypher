// Add one load to the history. Times are fixed-width UTC ISO 8601 text, which sorts as
// time does; `counts` is JSON text (records loaded per kind).
// :param load => {id: '20260301T080000000000Z-0a1b2c3d', source: 'partner-a', file_name: 'scans.jsonl', content_hash: 'ab12', size: 120, started: '2026-03-01T08:00:00.000000+00:00', finished: '2026-03-01T08:00:01.000000+00:00', counts: '{"scan": 3}', rejected: 0, outcome: 'loaded'}
MERGE (load:Load {id: $load.id})
SET load = $load
