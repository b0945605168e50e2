-- $1 org_id bigint, $2 endpoint_id bigint, $3 token_sha256 bytea, $4 rotated boolean, $5 now timestamptz (the
-- application's clock: Citus refuses now() inside CASE and RETURNING of a distributed update)
-- Returns the endpoint, or nothing when there is no such endpoint.
update tlsrpt_endpoints set
    token_sha256 = $3,
    rotated_at = case when $4 then $5::timestamptz else rotated_at end
where org_id = $1 and endpoint_id = $2
returning endpoint_id, description, created_at, rotated_at, last_success_at, last_error_at, last_error,
    reports_total, case when reports_day = ($5::timestamptz at time zone 'UTC')::date then reports_today else 0 end
        as reports_today,
    skipped
