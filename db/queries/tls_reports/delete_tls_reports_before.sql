-- $1 cutoff timestamptz
-- Retention for TLS reports (all organizations: retention is one setting for the whole store), the same
-- as for messages: a report whose whole date range ended before the cutoff goes, with its policies and
-- failure details (cascade).
delete from tls_reports where end_at < $1
