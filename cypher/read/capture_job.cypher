// One capture job, as the JSON text it was saved as.
// :param id => 'c0ffee'
MATCH (job:CaptureJob {id: $id})
RETURN job.data AS data
