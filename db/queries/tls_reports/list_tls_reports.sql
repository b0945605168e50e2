-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 policy_domain text (null: all), $5 limit integer,
-- $6 after_start timestamptz, $7 after_key bigint (both null: the first page; else the reports after this one)
-- The reports whose range starts in the window (with a policy for policy_domain, when given), newest first, at
-- most `limit`: each with its policy domains and sessions, a report's sessions for a domain counted once, as in
-- tls_report_days. `total` (on every row) counts every report that matches, on any page. Always one row at
-- least: with no report on the page, one whose other columns are null. A policy for a domain that is not one of
-- the organization's accepted domains (nor a subdomain of one; db/migrations/0019, the view of 0020) is listed in
-- foreign_domains and not counted in the sessions; with no accepted domain listed, every policy counts.
with matched as (
    select r.report_key, r.organization_name, r.report_id, r.start_at, r.end_at
    from tls_reports r
    where r.org_id = $1 and r.start_at >= $2 and r.start_at < $3
      and ($4::text is null or exists (
          select from tls_report_policies p
          where p.org_id = r.org_id and p.report_key = r.report_key and lower(p.policy_domain) = lower($4)))
),
page as (
    select m.*
    from matched m
    where $6::timestamptz is null or (m.start_at, m.report_key) < ($6::timestamptz, $7::bigint)
    order by m.start_at desc, m.report_key desc
    limit $5
),
domains as (
    select distinct on (p.report_key, coalesce(p.policy_domain, ''))
           p.report_key, p.policy_domain, p.successful_sessions, p.failed_sessions, p.accepted
    from page g
    join tls_report_policies_accepted p on p.org_id = $1 and p.report_key = g.report_key
    order by p.report_key, coalesce(p.policy_domain, ''), p.successful_sessions::numeric + p.failed_sessions desc,
             p.failed_sessions desc, p.policy_no
),
sums as (
    select report_key,
           coalesce(array_agg(policy_domain order by policy_domain) filter (where policy_domain is not null),
                    '{}') as policy_domains,
           coalesce(sum(successful_sessions) filter (where accepted), 0) as successful,
           coalesce(sum(failed_sessions) filter (where accepted), 0) as failed,
           coalesce(array_agg(coalesce(policy_domain, '') order by policy_domain) filter (where not accepted),
                    '{}') as foreign_domains
    from domains
    group by report_key
)
select (select count(*) from matched)::bigint as total, g.report_key, g.organization_name, g.report_id, g.start_at,
       g.end_at, s.policy_domains, s.successful, s.failed,
       s.foreign_domains
from (select) as one
left join page g on true
left join sums s on s.report_key = g.report_key
order by g.start_at desc, g.report_key desc
