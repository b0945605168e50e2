-- $1 org_id bigint, $2 delivery_id bigint, $3 attempt integer (the claim's), $4 status text (pending: a retry
-- follows), $5 at timestamptz, $6 status_code integer, $7 error text, $8 duration_ms integer,
-- $9 next_retry_at timestamptz (null: none)
-- Records an attempt and its outcome, ending the lease, only if the lease is still this attempt's (a worker
-- whose lease ran out records nothing). Returns the attempt, or no row.
with done as (
    update webhook_deliveries
    set status = $4, leased_until = null, next_attempt_at = coalesce($9, next_attempt_at),
        finished_at = case when $4 <> 'pending' then $5::timestamptz end  -- the attempt's time: Citus refuses now() in a case
    where org_id = $1 and delivery_id = $2 and attempts = $3 and status = 'pending'
    returning delivery_id, subscription_id
)
insert into webhook_attempts (org_id, delivery_id, attempt, at, status_code, error, duration_ms, next_retry_at)
select $1, done.delivery_id, $3, $5, $6, $7, $8, $9
from done
returning attempt
