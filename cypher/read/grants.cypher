// Authorizations granted to these parties by these brands (dates as ISO 8601 text).
// :param parties => ['PA-1']
// :param brands => ['BR-1']
UNWIND $parties AS party
MATCH (grant:Authorization {party: party})
WHERE grant.brand IN $brands
RETURN collect(grant {
  .*, valid_from: toString(grant.valid_from), valid_until: toString(grant.valid_until)
}) AS grants
