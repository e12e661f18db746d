// Capture jobs of the EPCIS capture interface: one node per job, found by id, and
// the few still running found at each start.
CREATE CONSTRAINT IF NOT EXISTS FOR (job:CaptureJob) REQUIRE job.id IS UNIQUE;
CREATE INDEX IF NOT EXISTS FOR (job:CaptureJob) ON (job.running);
