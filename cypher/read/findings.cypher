// Every saved finding.
MATCH (finding:Finding)
RETURN collect(finding {.*, at: toString(finding.at)}) AS findings
