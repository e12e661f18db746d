// The containment records that empty these containers (a removal naming no child).
// :param ids => ['https://id.gs1.org/00/403000112345678901']
UNWIND $ids AS id
MATCH (:Item {id: id})<-[:IN_PARENT]-(record:Containment)
WHERE record.child IS NULL
RETURN collect(record {.*, at: toString(record.at)}) AS records
