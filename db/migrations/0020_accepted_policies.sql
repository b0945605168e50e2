-- A TLS report policy's domain judged against the organization's accepted domains (db/migrations/0019), written
-- once: every policy of tls_report_policies with `accepted` (its domain, without a trailing dot and in any case,
-- is an accepted domain or a subdomain of one; or the organization lists none). The report views, the report list,
-- one report in full and the insights read policies through it. security_invoker: row-level security applies to
-- the reader (mailflow_app), as on the tables themselves. On Citus the view is expanded on the coordinator into
-- each statement, which then touches only the organization's shards (accepted_domains joined on org_id).
create view tls_report_policies_accepted with (security_invoker = true) as
select p.*,
       not exists (select from accepted_domains a where a.org_id = p.org_id)
       or exists (select from accepted_domains a
                  where a.org_id = p.org_id
                    and (a.domain = rtrim(lower(p.policy_domain), '.')
                         or right(rtrim(lower(p.policy_domain), '.'), length(a.domain) + 1) = '.' || a.domain))
           as accepted
from tls_report_policies p;

grant select on tls_report_policies_accepted to mailflow_app;
