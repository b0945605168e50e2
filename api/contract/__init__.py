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

Why msgspec Structs rather than dataclasses with Annotated constraints: msgspec is already the ingest fast
path's decoder (api/typed_records.py), and it derives JSON Schema 2020-12, OpenAPI 3.1's dialect, from the
types, constraints (`Meta`: patterns, lengths, bounds) included; dataclasses would need a schema generator
of our own. Building the document costs about 20 ms of CPU, once at start-up; a request gets cached bytes.
The handlers keep their own checks: they name every problem of a body at once, in the one error shape and
with the words tests and clients rely on, where a Struct's decoder stops at the first.

Adding a resource (say /api/v1/accepted-domains):
1. route it in api/rest/routes.py, as usual;
2. write api/contract/accepted_domains.py with `TAG = "accepted-domains"` and `OPERATIONS = [Operation(...),
   ...]`, one per route and method (copy a small module such as api/contract/tlsrpt_endpoints.py);
3. add the module to `RESOURCES` in api/contract/document.py.
Until then the build names the route without an operation (or the operation without a route), the app does
not start, and tests/rest/test_openapi.py fails."""
