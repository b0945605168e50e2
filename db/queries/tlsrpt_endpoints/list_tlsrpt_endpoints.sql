-- $1 org_id bigint, $2 endpoint_id bigint (null: every endpoint)
select endpoint_id, description, created_at, rotated_at, last_success_at, last_error_at, last_error,
    reports_total, case when reports_day = (now() at time zone 'UTC')::date then reports_today else 0 end
        as reports_today,
    skipped
from tlsrpt_endpoints
where org_id = $1 and ($2::bigint is null or endpoint_id = $2)
order by endpoint_id
