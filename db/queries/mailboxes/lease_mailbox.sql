-- $1 org_id bigint, $2 mailbox_id bigint, $3 lease_seconds double precision
-- Returns the mailbox when this process now holds it; nothing when another process does.
update mailboxes set leased_until = now() + make_interval(secs => $3), last_poll_at = now()
where org_id = $1 and mailbox_id = $2 and (leased_until is null or leased_until < now())
returning mailbox_id
