-- $1 cutoff timestamptz
-- Retention for finished deliveries and their attempts (all organizations).
delete from webhook_deliveries where status <> 'pending' and finished_at < $1
