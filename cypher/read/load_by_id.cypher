// One load by id, as a one-element list (empty when there is none).
// :param id => '20260301T080000000000Z-0a1b2c3d'
OPTIONAL MATCH (load:Load {id: $id})
RETURN collect(load {.*}) AS loads
