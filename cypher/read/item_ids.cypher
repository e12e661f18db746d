// Every item id, described or only referenced.
MATCH (item:Item)
RETURN collect(item.id) AS ids
