-- $1 org_id bigint, $2 endpoint_id bigint, $3 stored boolean (a report was stored), $4 skipped text (why a
-- POST stored nothing: a refusal, or `already stored`; null when stored), $5 error text (a refusal to show as
-- the last error; null: none), $6 now timestamptz (the application's clock: Citus refuses now() inside CASE
-- in a distributed update; the skipped counter uses only immutable functions, which Citus
-- pushes down instead of evaluating them on the coordinator with a null key)
update tlsrpt_endpoints set
    reports_total = reports_total + case when $3::boolean then 1 else 0 end,
    reports_today = case when not $3::boolean then reports_today
                         when reports_day = ($6::timestamptz at time zone 'UTC')::date then reports_today + 1
                         else 1 end,
    reports_day = case when $3::boolean then ($6::timestamptz at time zone 'UTC')::date else reports_day end,
    last_success_at = case when $5::text is null then $6::timestamptz else last_success_at end,
    last_error_at = case when $5::text is null then last_error_at else $6::timestamptz end,
    last_error = coalesce($5::text, last_error),
    skipped = case when $4::text is null then skipped
                   else jsonb_set(skipped, array[$4::text], (coalesce((skipped ->> $4::text)::bigint, 0) + 1)::text::jsonb) end
where org_id = $1 and endpoint_id = $2
