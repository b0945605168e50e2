-- (no parameters)
-- Every key of every organization, for the operator's `mailflow keys list`.
select k.key_id, o.name as organization, k.role, k.label, k.created_at, k.revoked_at
from api_keys k
join organizations o on o.org_id = k.org_id
order by o.name, k.key_id
