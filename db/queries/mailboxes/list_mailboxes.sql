-- $1 org_id bigint, $2 mailbox_id bigint (null: every mailbox)
select mailbox_id, host, port, security, username, folder, processed, processed_folder, error_folder, description,
    enabled, created_at, last_poll_at, last_success_at, last_error_at, last_error, failing_since, reports_total,
    case when reports_day = (now() at time zone 'UTC')::date then reports_today else 0 end as reports_today, skipped
from mailboxes
where org_id = $1 and ($2::bigint is null or mailbox_id = $2)
order by mailbox_id
