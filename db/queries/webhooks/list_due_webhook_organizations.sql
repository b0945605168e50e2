-- $1 limit integer
-- The organizations where an enabled subscription's queue has a due head that no worker holds (all
-- organizations: the worker serves them all), the longest waiting first. One index probe per enabled
-- subscription: a queue held back by a retrying head, or by a disabled subscription, costs nothing more.
select s.org_id
from webhook_subscriptions s
cross join lateral (
    select d.next_attempt_at, d.leased_until
    from webhook_deliveries d
    where d.org_id = s.org_id and d.subscription_id = s.subscription_id and d.status = 'pending'
    order by d.delivery_id
    limit 1
) head
where s.enabled and head.next_attempt_at <= now() and (head.leased_until is null or head.leased_until <= now())
group by s.org_id
order by min(head.next_attempt_at)
limit $1
