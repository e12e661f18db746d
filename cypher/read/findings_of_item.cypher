// The saved findings of one item.
// :param item => 'IT-1'
MATCH (finding:Finding {item: $item})
RETURN collect(finding {.*, at: toString(finding.at)}) AS findings
