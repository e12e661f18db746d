// The containment records that put these items into, or take them out of, a parent.
// :param ids => ['https://id.gs1.org/01/00300010123455/21/11']
UNWIND $ids AS id
MATCH (:Item {id: id})<-[:OF_CHILD]-(record:Containment)
RETURN collect(record {.*, at: toString(record.at)}) AS records
