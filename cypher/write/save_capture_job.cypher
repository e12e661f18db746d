// Save a capture job, replacing the one with the same id. `data` is the whole job as
// JSON text; `running` and `createdAt` are kept beside it to find running jobs.
// :param job => {id: 'c0ffee', createdAt: '2026-03-01T08:00:00+00:00', running: true, data: '{}'}
MERGE (job:CaptureJob {id: $job.id})
SET job.createdAt = datetime($job.createdAt),
    job.running = $job.running,
    job.data = $job.data
