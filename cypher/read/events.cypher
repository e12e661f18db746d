// A page of kept EPCIS events, ordered by event time then id, after the event whose
// time and id are `after_time` and `after` (both null for the first page). A null
// filter is not applied; times are microseconds since the epoch.
// :param after_time => null
// :param after => null
// :param types => null
// :param steps => null
// :param locations => null
// :param ge => null
// :param lt => null
// :param match_epc => null
// :param match_any_epc => null
// :param first => 100
MATCH (event:EpcisEvent)
WHERE ($after_time IS NULL OR event.event_time > $after_time
       OR (event.event_time = $after_time AND event.id > $after))
  AND ($types IS NULL OR event.type IN $types)
  AND ($steps IS NULL OR event.biz_step IN $steps)
  AND ($locations IS NULL OR event.biz_location IN $locations)
  AND ($ge IS NULL OR event.event_time >= $ge)
  AND ($lt IS NULL OR event.event_time < $lt)
  AND ($match_epc IS NULL OR any(epc IN event.direct_epcs WHERE epc IN $match_epc))
  AND ($match_any_epc IS NULL
       OR any(epc IN event.all_epcs WHERE epc IN $match_any_epc))
WITH event
ORDER BY event.event_time, event.id
LIMIT $first
RETURN collect(event {.*}) AS events
