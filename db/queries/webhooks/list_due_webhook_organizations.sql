-- $1 limit integer
-- The organizations with a delivery that is due (all organizations: the worker serves them all), the
-- longest waiting first.
select org_id
from webhook_deliveries
where status = 'pending' and next_attempt_at <= now()
group by org_id
order by min(next_attempt_at)
limit $1
