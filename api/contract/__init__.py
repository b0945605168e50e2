"""The REST API's contract: what each resource accepts and answers, declared once as msgspec Structs and
Python types, from which api/contract/document.py builds the OpenAPI 3.1 document with the route table
(api/rest/routes.py: paths, methods, path parameters, roles).

One module per REST resource, named like its handlers' module in api/rest/. Each holds a `TAG` (the
resource's name in the document) and `OPERATIONS`, a list of `Operation`s (api/contract/common.py): the
method and path as the route table has them (without `:id` converters), a summary, the query parameters as
a Struct (its fields are the parameters), the request body and the answers as types, and the 4xx codes the
operation adds to those every authenticated route shares (401, 403, 408, 429, 503).

Constraints come from where the server's validators hold them (api/patterns.py, core/, the settings, the
rules), imported, never restated; what JSON Schema cannot say goes in a description.

Adding a resource (say /api/v1/accepted-domains):
1. route it in api/rest/routes.py, as usual;
2. write api/contract/accepted_domains.py with `TAG = "accepted-domains"` and `OPERATIONS = [Operation(...),
   ...]`, one per route and method (copy a small module such as api/contract/tlsrpt_endpoints.py);
3. add the module to `RESOURCES` in api/contract/document.py.
tests/rest/test_openapi.py fails while a route has no operation, or an operation no route."""
