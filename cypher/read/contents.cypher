// The items ever put directly inside these containers.
// :param ids => ['https://id.gs1.org/00/403000112345678901']
UNWIND $ids AS id
MATCH (:Item {id: id})<-[:IN_PARENT]-(:Containment)-[:OF_CHILD]->(child:Item)
RETURN collect(DISTINCT child.id) AS ids
