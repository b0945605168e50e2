-- (no parameters)
select o.org_id, o.name, o.created_at,
       (select count(*) from api_keys k where k.org_id = o.org_id and k.revoked_at is null) as keys
from organizations o
order by o.name
