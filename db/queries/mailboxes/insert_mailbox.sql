-- $1 org_id bigint, $2 host text, $3 port integer, $4 security text, $5 username text, $6 password bytea
-- (encrypted), $7 folder text, $8 processed text, $9 processed_folder text, $10 error_folder text,
-- $11 description text, $12 now timestamptz (the application's clock: Citus refuses now() in RETURNING)
insert into mailboxes (org_id, host, port, security, username, password, folder, processed, processed_folder,
    error_folder, description)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
returning mailbox_id, host, port, security, username, folder, processed, processed_folder, error_folder, description,
    enabled, created_at, last_poll_at, last_success_at, last_error_at, last_error, failing_since, reports_total,
    case when reports_day = ($12::timestamptz at time zone 'UTC')::date then reports_today else 0 end as reports_today, skipped
