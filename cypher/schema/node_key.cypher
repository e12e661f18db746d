// Every node of a model label is keyed by its id: writes MERGE on it and reads look
// nodes up by it. Filled in once per label of the model.
CREATE CONSTRAINT IF NOT EXISTS FOR (n:$$Label$$) REQUIRE n.id IS UNIQUE
