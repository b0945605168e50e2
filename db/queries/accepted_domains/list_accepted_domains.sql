-- $1 org_id bigint
select domain, created_at
from accepted_domains
where org_id = $1
order by domain
