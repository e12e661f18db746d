// The brand of each item's product, as [item id, brand or null].
// :param ids => ['IT-1']
UNWIND $ids AS id
MATCH (item:Item {id: id})
OPTIONAL MATCH (product:Product {id: item.product})
RETURN collect([item.id, product.brand]) AS brands
