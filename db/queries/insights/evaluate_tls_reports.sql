-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz
-- Sessions per policy domain over the TLS reports whose range starts in the window: all, and failed.
-- A report's sessions for a domain count once, from its policy for the domain with the most sessions (on a
-- tie, the most failed): a sender reports the same sessions under each policy that applied (sts and tlsa).
-- Summed as numeric: the sum of many reports' counts can be beyond a bigint. Only accepted domains (and their
-- subdomains) count when the organization lists any (db/migrations/0019; the view of 0020).
with policies as (
    select distinct on (p.report_key, coalesce(p.policy_domain, ''))
           coalesce(p.policy_domain, '') as policy_domain, p.successful_sessions, p.failed_sessions
    from tls_reports r
    join tls_report_policies_accepted p on p.org_id = r.org_id and p.report_key = r.report_key
    where r.org_id = $1 and r.start_at >= $2 and r.start_at < $3
      and p.accepted
    order by p.report_key, coalesce(p.policy_domain, ''), p.successful_sessions::numeric + p.failed_sessions desc,
             p.failed_sessions desc, p.policy_no
)
select policy_domain, sum(successful_sessions::numeric + failed_sessions) as sessions,
       sum(failed_sessions::numeric) as failed
from policies
group by policy_domain
