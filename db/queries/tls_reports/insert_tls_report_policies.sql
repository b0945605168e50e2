-- $1 org_id bigint, $2 report_key bigint, $3 policy_nos integer[], $4 policy_types text[], $5 policy_domains text[],
-- $6 policy_strings text[] (each a JSON array), $7 mx_hosts text[] (each a JSON array), $8 successful bigint[],
-- $9 failed bigint[], $10 detailed bigint[], $11 mismatches boolean[], $12 mx_host text[] (each JSON as sent: a
-- string or an array; null: absent), $13 mx_host_pattern text[] (the same)
with added as (
    insert into tls_report_policies (
        org_id, report_key, policy_no, policy_type, policy_domain, policy_string, mx_hosts, successful_sessions,
        failed_sessions, detailed_failures, details_mismatch, mx_host, mx_host_pattern
    )
    select $1, $2, p.no, p.type, p.domain,
           array(select jsonb_array_elements_text(p.strings::jsonb)), array(select jsonb_array_elements_text(p.mx::jsonb)),
           p.successful, p.failed, p.detailed, p.mismatch, p.mx_host::jsonb, p.mx_host_pattern::jsonb
    from unnest($3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[],
                $11::boolean[], $12::text[], $13::text[])
         as p (no, type, domain, strings, mx, successful, failed, detailed, mismatch, mx_host, mx_host_pattern)
    returning 1
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from added
