"""connectorReport: one row per day per connector, and totals per connector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import strawberry

from api.types.connector import Connector
from db.traffic_counts import ConnectorReport as ReportResult
from db.traffic_counts import ConnectorRow, Counts
from services.reports import Retention


@strawberry.type(description="Messages per TLS bucket.")
class TlsCounts:
    none: int
    tls10: int
    tls11: int
    tls12: int
    tls13: int
    unknown: int

    @classmethod
    def of(cls, c: Counts) -> TlsCounts:
        return cls(
            none=c.messages("none"),
            tls10=c.messages("TLS1.0"),
            tls11=c.messages("TLS1.1"),
            tls12=c.messages("TLS1.2"),
            tls13=c.messages("TLS1.3"),
            unknown=c.messages("unknown"),
        )


@strawberry.type(description="A connector's volume and TLS shares (percent) over the window.")
class ConnectorTotal:
    connector: Connector
    volume: int
    no_tls: float
    tls10: float
    tls11: float
    tls12: float
    tls13: float
    unknown: float
    tally: strawberry.Private[Counts]

    @strawberry.field
    def counts(self) -> TlsCounts:  # made only when asked for
        return TlsCounts.of(self.tally)


@strawberry.type(description="A connector's volume and TLS shares (percent) on one day.")
class ConnectorReportRow(ConnectorTotal):
    day: date


@dataclass(slots=True)
class ShareRow:
    """A ConnectorReportRow's values (or a ConnectorTotal's: `day` None) as the resolver hands them over
    (strawberry reads a type's fields by name from any object, and calls `counts` with it as `self`): ~200 per
    report, made at a fraction of a strawberry object's cost."""

    connector: Connector
    volume: int
    no_tls: float
    tls10: float
    tls11: float
    tls12: float
    tls13: float
    unknown: float
    tally: Counts
    day: date | None

    @classmethod
    def of(cls, row: ConnectorRow, connector: Connector) -> ShareRow:
        c = row.counts
        none, tls10, tls11, tls12, tls13, unknown = c.shares().values()  # in bucket order
        return cls(connector, c.total, none, tls10, tls11, tls12, tls13, unknown, c, row.day)


@strawberry.type
class ConnectorReport:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    time_zone: str
    rows: list[ShareRow] = strawberry.field(graphql_type=list[ConnectorReportRow])
    totals: list[ShareRow] = strawberry.field(graphql_type=list[ConnectorTotal])
    retained_from: datetime = strawberry.field(description="the oldest moment whose data the store keeps")
    warnings: list[str] = strawberry.field(description="what the figures cannot show, e.g. days before retention")

    @classmethod
    def of(cls, report: ReportResult, kept: Retention) -> ConnectorReport:
        connectors: dict[int, Connector] = {}  # one object per connector, shared by its rows

        def connector(row: ConnectorRow) -> Connector:
            found = connectors.get(id(row.connector))
            if found is None:
                found = connectors[id(row.connector)] = Connector.from_row(row.connector)
            return found

        return cls(
            from_=report.window.start,
            to=report.window.end,
            time_zone=report.window.time_zone,
            rows=[ShareRow.of(r, connector(r)) for r in report.rows],
            totals=[ShareRow.of(r, connector(r)) for r in report.totals],
            retained_from=kept.retained_from,
            warnings=kept.warnings(report.window),
        )
