-- (no parameters)
-- Every organization with its count of keys not revoked. The counts are made first, per organization (on
-- Citus a correlated subquery over api_keys beside the organizations reference table is refused).
with keys as materialized (
    select k.org_id, count(*) as keys from api_keys k where k.revoked_at is null group by k.org_id
)
select o.org_id, o.name, o.created_at, coalesce(k.keys, 0) as keys
from organizations o
left join keys k on k.org_id = o.org_id
order by o.name
