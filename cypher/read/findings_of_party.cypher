// The saved findings about one party.
// :param party => 'PA-1'
MATCH (finding:Finding {party: $party})
RETURN collect(finding {.*, at: toString(finding.at)}) AS findings
