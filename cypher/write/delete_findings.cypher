// Remove the saved findings of these items, before their new ones are saved.
// :param items => ['IT-1']
UNWIND $items AS item
MATCH (finding:Finding {item: item})
DETACH DELETE finding
