-- $1 cutoff timestamptz
-- Retention for insight events (all organizations: retention is one setting for the whole store).
delete from insight_events where at < $1
