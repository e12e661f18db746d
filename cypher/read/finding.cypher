// One saved finding by id (a page of findings starts after it).
// :param id => '0123456789abcdef0123'
MATCH (finding:Finding {id: $id})
RETURN finding {.*, at: toString(finding.at)} AS finding
