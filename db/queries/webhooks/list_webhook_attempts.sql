-- $1 org_id bigint, $2 subscription_id bigint, $3 limit integer
-- A subscription's deliveries, newest first, each with its attempts (newest first); a delivery not yet
-- attempted is listed with null attempt columns.
select d.delivery_id, d.message_id, d.event_type, d.status, d.occurred_at, d.next_attempt_at,
       a.attempt, a.at, a.status_code, a.error, a.duration_ms, a.next_retry_at
from (select *
      from webhook_deliveries
      where org_id = $1 and subscription_id = $2
      order by delivery_id desc
      limit $3) d
left join webhook_attempts a on a.org_id = $1 and a.delivery_id = d.delivery_id
order by d.delivery_id desc, a.attempt desc nulls first
