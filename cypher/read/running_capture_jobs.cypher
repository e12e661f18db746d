// Capture jobs still marked running, oldest first, as one list of JSON texts.
MATCH (job:CaptureJob {running: true})
WITH job ORDER BY job.createdAt, job.id
RETURN collect(job.data) AS jobs
