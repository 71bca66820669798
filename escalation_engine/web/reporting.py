"""The annual report in a browser: the figures for a chosen period with their charts, each
figure linking to the escalations behind it, and the downloads (HTML with charts, XLSX, CSV)
that ``escalate report`` writes. The same operations and rules: the IRO manager and auditors."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from escalation_engine.errors import EscalationError, InvalidInput, http_status
from escalation_engine.reports import charts, glance, html, text, xlsx
from escalation_engine.web.base import PageBase, query_of, signed_in

_PERIOD = ("year", "from", "to", "by")
_DOWNLOADS = {
    "html": ("text/html; charset=utf-8", "html"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


def _chosen(request: Request, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    return query_of(request, "report_explain", (*_PERIOD, *extra), "the report's choices")


class ReportPages(PageBase):
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/report", self.report, methods=["GET"]),
            Route("/report/explain", self.explain, methods=["GET"]),
            Route("/report/download/{form}", self.download, methods=["GET"]),
        ]

    @signed_in
    async def report(self, request: Request, username: str) -> Response:
        person, chosen = self.person(username), {}
        try:
            chosen = _chosen(request)
            found = await self.operation(username, "report", None, chosen)
        except EscalationError as exc:
            return self.render(request, "report.html", http_status(exc), person=person,
                               error=str(exc), chosen=chosen, report=None)  # fmt: skip
        pictures = [
            {"title": c.title, "alt": c.alt, "src": "data:image/png;base64,"
             + base64.b64encode(c.png).decode("ascii")}
            for c in charts.charts(found)
        ]  # fmt: skip
        query = urlencode(chosen)
        tables = [
            {**table, "printed": list(text.rows(table)),
             "figures": [[cell.get("figure") if isinstance(cell, dict) else None
                          for cell in row["cells"]] for row in table["rows"]]}
            for table in found["tables"]
        ]  # fmt: skip
        return self.render(request, "report.html", person=person, chosen=chosen, report=found,
                           heading=text.heading(found), tables=tables, pictures=pictures,
                           query=query, points=glance.points(found))  # fmt: skip

    @signed_in
    async def explain(self, request: Request, username: str) -> Response:
        person = self.person(username)
        try:
            chosen = _chosen(request, ("figure",))
            if "figure" not in chosen:
                raise InvalidInput("Choose a figure from the report.")
            found = await self.operation(username, "report_explain", None, chosen)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        back = "/report?" + urlencode({k: v for k, v in chosen.items() if k != "figure"})
        return self.render(request, "explain.html", person=person, figures=found, back=back)

    @signed_in
    async def download(self, request: Request, username: str) -> Response:
        form = str(request.path_params["form"])
        try:
            if form not in _DOWNLOADS:
                raise InvalidInput(f"{form[:20]!r} is not a download: html, xlsx or csv.")
            chosen = _chosen(request)
            found = await self.operation(username, "report", None, chosen)
            body = await self.work(_written, found, form)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        kind, suffix = _DOWNLOADS[form]
        name = f"escalations-{found['period']['label'].replace(' ', '-')}.{suffix}"
        return Response(body, media_type=kind,
                        headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _written(report: dict[str, Any], form: str) -> bytes:
    if form == "html":
        return html.page(report).encode()
    if form == "xlsx":
        return xlsx.workbook(report)
    stream = io.StringIO()
    text.write_csv(report, stream)
    return stream.getvalue().encode()
