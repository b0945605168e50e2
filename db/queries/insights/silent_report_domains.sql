-- $1 org_id bigint, $2 quiet_since timestamptz, $3 reported_since timestamptz
-- The policy domains that TLS reports covered since reported_since (by the start of their range), and those with
-- an open tlsrpt_silent insight: each with the end of its last report's range in that time (null: none since
-- reported_since), whether its insight is open, and whether it is silent: no report's range ends after
-- quiet_since, and it is one of the organization's accepted domains (or none is listed: db/migrations/0019).
with recent as (
    select rtrim(lower(p.policy_domain), '.') as domain, max(r.end_at) as last_end
    from tls_reports r
    join tls_report_policies p on p.org_id = r.org_id and p.report_key = r.report_key
    where r.org_id = $1 and r.start_at >= $3 and p.policy_domain is not null
    group by 1
),
open_insights as (
    select subject
    from insights
    where org_id = $1 and rule = 'tlsrpt_silent' and direction = 'inbound' and connector_id = 0 and resolved_at is null
),
domains as (
    select coalesce(c.domain, o.subject) as domain, c.last_end, o.subject is not null as is_open
    from recent c
    full join open_insights o on o.subject = c.domain
)
select d.domain, d.last_end, d.is_open,
       (d.last_end is null or d.last_end < $2)
       and (not exists (select from accepted_domains a where a.org_id = $1)
            or exists (select from accepted_domains a
                       where a.org_id = $1
                         and (a.domain = d.domain or right(d.domain, length(a.domain) + 1) = '.' || a.domain)))
           as silent
from domains d
order by d.domain
