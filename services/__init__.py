"""What REST (api/rest/), GraphQL (api/types/, api/schema.py) and the CLI (api/cli/) all call: one module per
resource. A service takes plain arguments (the organization's pool and id, values as the client gave them or
domain types from core/), checks them, calls db/, and returns db's dataclasses; it raises core/errors.py's
refusals, never an HTTP error. It imports core and db, never api."""
