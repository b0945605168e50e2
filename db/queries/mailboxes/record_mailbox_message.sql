-- $1 org_id bigint, $2 mailbox_id bigint, $3 uidvalidity bigint, $4 uid bigint, $5 outcome text,
-- $6 reports_stored integer, $7 skipped text (why the message stored nothing; null: it stored a report),
-- $8 error text (null: none), $9 now timestamptz (the application's clock: Citus refuses now() inside CASE in a
-- distributed update; the skipped counter uses only immutable functions, which Citus
-- pushes down instead of evaluating them on the coordinator with a null key)
-- The message, once, and the mailbox's figures with it (only when the message is new to it).
with handled as (
    insert into mailbox_messages (org_id, mailbox_id, uidvalidity, uid, outcome)
    values ($1, $2, $3, $4, $5)
    on conflict do nothing
    returning org_id
)
update mailboxes set
    reports_total = reports_total + $6,
    reports_today = case when $6 = 0 then reports_today
                         when reports_day = ($9::timestamptz at time zone 'UTC')::date then reports_today + $6
                         else $6 end,
    reports_day = case when $6 > 0 then ($9::timestamptz at time zone 'UTC')::date else reports_day end,
    last_error_at = case when $8::text is null then last_error_at else $9::timestamptz end,
    last_error = coalesce($8::text, last_error),
    skipped = case when $7::text is null then skipped
                   else jsonb_set(skipped, array[$7::text], (coalesce((skipped ->> $7::text)::bigint, 0) + 1)::text::jsonb) end
where org_id = $1 and mailbox_id = $2 and exists (select from handled)
