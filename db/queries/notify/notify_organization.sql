-- $1 channels text[], $2 org_id text
-- Tells every server process listening on these channels that the organization's data changed or that a
-- webhook delivery was queued. Issued inside the writing transaction: PostgreSQL sends it at commit (never
-- after a rollback) and folds repeats within a transaction into one. Not a trigger: Citus refuses those.
select pg_notify(channel, $2) from unnest($1::text[]) as channel
