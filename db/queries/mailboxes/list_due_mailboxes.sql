-- $1 interval_seconds double precision, $2 limit integer
-- The enabled mailboxes of every organization not polled for $1 seconds and not leased (the owner's pool).
select org_id, mailbox_id
from mailboxes
where enabled
  and (leased_until is null or leased_until < now())
  and (last_poll_at is null or last_poll_at < now() - make_interval(secs => $1))
order by last_poll_at nulls first
limit $2
