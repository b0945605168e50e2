-- The age in seconds of the oldest delivery still pending in any organization (null: none), for /metrics.
select extract(epoch from now() - min(occurred_at))::float8 from webhook_deliveries where status = 'pending'
