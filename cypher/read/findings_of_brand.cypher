// The saved findings about items of one brand.
// :param brand => 'BR-1'
MATCH (finding:Finding {brand: $brand})
RETURN collect(finding {.*, at: toString(finding.at)}) AS findings
