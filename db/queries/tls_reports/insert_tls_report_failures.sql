-- $1 org_id bigint, $2 report_key bigint, $3 policy_nos integer[], $4 failure_nos integer[], $5 result_types text[],
-- $6 sending_mta_ips text[], $7 receiving_mx_hostnames text[], $8 receiving_ips text[], $9 failed bigint[],
-- $10 reason_codes text[], $11 additional text[], $12 receiving_mx_helos text[]
with added as (
    insert into tls_report_failures (
        org_id, report_key, policy_no, failure_no, result_type, sending_mta_ip, receiving_mx_hostname, receiving_ip,
        failed_sessions, failure_reason_code, additional_information, receiving_mx_helo
    )
    select $1, $2, f.*
    from unnest($3::integer[], $4::integer[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],
                $11::text[], $12::text[]) as f
    returning 1
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from added
