// The sites that these parties operate.
// :param parties => ['PA-1']
UNWIND $parties AS id
MATCH (:Party {id: id})<-[:OPERATED_BY]-(site:Site)
RETURN collect(DISTINCT site.id) AS ids
