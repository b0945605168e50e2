-- $1 org_id bigint, $2 mailbox_id bigint, $3 error text (null: the poll went well), $4 now timestamptz (the
-- application's clock: Citus refuses now() inside CASE and COALESCE in a distributed update)
-- Returns since when it has been failing (null: it is not), and whether it was failing before this poll.
with before as (
    select failing_since from mailboxes where org_id = $1 and mailbox_id = $2
)
update mailboxes set
    leased_until = null,
    last_success_at = case when $3::text is null then $4::timestamptz else last_success_at end,
    last_error_at = case when $3::text is null then last_error_at else $4::timestamptz end,
    last_error = case when $3::text is null then last_error else $3::text end,
    failing_since = case when $3::text is null then null else coalesce(failing_since, $4::timestamptz) end
where org_id = $1 and mailbox_id = $2
returning failing_since, (select failing_since from before) is not null as was_failing
