"""GraphQL documents parsed and validated once per query text: one strawberry schema extension.

It does what strawberry's MaxTokensLimiter, ParserCache and ValidationCache do together, with the
validation rules of api/schema.py instead of graphql-core's own, in one extension (each extension costs
strawberry's runner a few generator steps per hook per request), and it keeps its documents freeable at
once: their tokens are unlinked (`_unlink`), so a document dropped from the cache is not left to the
cycle collector (bench/soak.py). Parsing and validation themselves stay strawberry's: the extension only
hands it what an earlier request with the same text produced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    Token,
    get_operation_ast,
    parse,
)
from strawberry.extensions import SchemaExtension


def _unlink(token: Token | None) -> None:
    """Drops the back links of a parsed document's tokens (as graphql-core does when it pickles one). Kept
    by the document's locations, they made each document a reference cycle, which, once the document left
    the cache, waited for a full collection: rare under the server's collector settings (api/app.py), so
    distinct query texts grew the process by tens of MiB (bench/soak.py)."""
    while token is not None:
        token.prev = None
        token = token.next


@dataclass
class Prepared:
    document: DocumentNode
    errors: list[GraphQLError] | None = None  # None: not validated yet; [] valid


class Documents:
    """Prepared documents by query text, at most `size` of them (all dropped when full: distinct texts are
    rare, and a dict without an LRU order is cheaper to hit)."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...], max_tokens: int, size: int = 256) -> None:
        self.rules = rules
        self.max_tokens = max_tokens
        self.size = size
        self.by_text: dict[str, Prepared] = {}

    def extension(self) -> SchemaExtension:
        """A new extension for one request (strawberry's schema takes this as a factory)."""
        return DocumentCache(self)

    def operation(self, text: str, operation_name: str | None) -> OperationDefinitionNode | None:
        """The operation a request runs (parsed as strawberry would, and kept for it), or None when the text
        does not parse or names no single operation."""
        prepared = self.by_text.get(text)
        if prepared is None:
            try:
                prepared = self.keep(text, parse(text, max_tokens=self.max_tokens))
            except GraphQLError:
                return None
        return get_operation_ast(prepared.document, operation_name)

    def keep(self, text: str, document: DocumentNode) -> Prepared:
        if document.loc is not None:
            _unlink(document.loc.start_token)
        if len(self.by_text) >= self.size:
            self.by_text.clear()
        prepared = self.by_text[text] = Prepared(document)
        return prepared


class DocumentCache(SchemaExtension):
    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        prepared = self.documents.by_text.get(text) if text is not None else None
        if prepared is not None:
            context.graphql_document = prepared.document
        else:
            context.parse_options["max_tokens"] = self.documents.max_tokens
        yield  # strawberry parses when no document was given (a syntax error is not kept)
        if prepared is None and text is not None and context.graphql_document is not None:
            self.documents.keep(text, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = self.documents.rules
        text = context.query
        prepared = self.documents.by_text.get(text) if text is not None else None
        if prepared is not None and prepared.document is not context.graphql_document:
            prepared = None  # a document not from this cache (given by the caller): validated afresh
        if prepared is not None and prepared.errors is not None:
            context.pre_execution_errors = prepared.errors
        yield  # strawberry validates when no errors were given
        if prepared is not None and prepared.errors is None:
            prepared.errors = list(context.pre_execution_errors or [])
