-- $1 cutoff timestamptz
-- Retention for rollups (all organizations: retention is one setting for the whole store).
delete from hourly_rollups where hour < $1
