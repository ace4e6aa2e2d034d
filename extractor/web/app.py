"""The reviewer's workbench: a local web page and the same as an HTTP API (FastAPI).

    POST /api/extract   multipart `file`, or JSON {"text": …, "name": …}: the indicator records
                        `indicators extract --format jsonl` writes for the same file, and the
                        document summary (`indicators tag`'s documents.jsonl line)
    POST /api/check     the same input: the finding records of `indicators check --format jsonl`
    GET  /api/rules     every finding code with its explanation (`indicators rule CODE`'s source)
    GET  /api/labels    the Chinese labels of the enum values
    POST /api/export/{xlsx,csv,jsonl}   report.xlsx, CSV or JSONL of the records the page shows
    GET  /docs          the API documentation, offline (/openapi.json; Swagger UI at /docs/swagger)

A zip upload is one document per member (named `archive.zip!member`, as tag names them).
Answers: 200 with `documents` (one per document, each with its `summary`, `status` ok or
error with `reason`); 422 when no document of the upload could be read; 413 over the upload
limit; 415 for a request that is neither multipart nor JSON; 503 `busy` when every worker is
busy and the queue is full.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from extractor import __version__
from extractor.web.worker import Busy, Pool, Settings, is_zip_upload, safe_name

STATIC = resources.files("extractor.web").joinpath("static")
# the documents' input, described for OpenAPI (the route reads the request itself, to take either)
_INPUT = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the document; a zip is one per member"}}}},
    "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "description": "the document's text"},
        "name": {"type": "string", "description": "the name records carry as doc (default <text>)"}}}}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "upload over --max-upload-mb"},
    415: {"description": "neither multipart/form-data nor JSON"},
    422: {"description": "no document of the upload could be read: error (tag's reason), message, documents"},
    503: {"description": "busy: every worker is busy and the queue is full (Retry-After)"}}
MAX_MEMBERS = 200  # documents of one uploaded zip the server runs; more are refused


class _BodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 413 before it is read
    whole (the declared length first, then the bytes as they arrive)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._too_large(send)
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Any) -> None:
        body = json.dumps({"error": "too_large", "message": f"上传内容超过 {self.limit / 2**20:g} MB 的上限 "
                           f"(upload over the {self.limit / 2**20:g} MB limit; start the server with a larger "
                           "--max-upload-mb)"}, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    pool = Pool(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        pool.start()
        await pool.warm()
        yield
        pool.close()

    app = FastAPI(title="indicators", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="绩效目标表指标抽取与审核 API: the records of `indicators extract` and "
                              "`indicators check` for an uploaded file or pasted text.")
    app.state.pool = pool
    app.state.settings = settings
    app.add_middleware(_BodyLimit, limit=settings.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(STATIC.joinpath("index.html").read_text(encoding="utf-8"),
                            headers={"Cache-Control": "no-cache"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_api_reference(app.openapi()))

    @app.get("/docs/swagger", response_class=HTMLResponse, include_in_schema=False)
    async def swagger() -> HTMLResponse:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="indicators API (Swagger UI)")

    @app.post("/api/extract", summary="Indicator records and the document summary", openapi_extra=_INPUT,
              responses=_ERRORS)
    async def extract(request: Request, include: str = "") -> JSONResponse:
        """Upload a document (multipart field `file`) or send JSON `{"text": "…", "name": "…"}`.
        Answer: `{"documents": [{"summary": {…}, "records": [SCHEMA indicator records]}]}`;
        `include=findings,text` adds each document's findings and its source text (the
        offsets of the records point into it)."""
        return await _answer(request, "extract", include)

    @app.post("/api/check", summary="Finding records and the document summary", openapi_extra=_INPUT,
              responses=_ERRORS)
    async def check(request: Request, include: str = "") -> JSONResponse:
        """The same input as /api/extract. Answer: `{"documents": [{"summary": {…}, "findings":
        [SCHEMA finding records]}]}`, the records of `indicators check --format jsonl`."""
        return await _answer(request, "check", include)

    async def _answer(request: Request, mode: str, include: str) -> JSONResponse:
        data, name = await _input(request)
        wanted = {part.strip() for part in include.split(",")}
        try:
            with pool.admit():
                documents = await _run(pool, data, name, mode, "text" in wanted)
        except Busy:
            return JSONResponse({"error": "busy", "message": "服务器正忙，请稍后再试 (every worker is busy "
                                 "and the queue is full; try again shortly)"}, status_code=503,
                                headers={"Retry-After": "2"})
        answers = [_shape(out, mode, wanted) for out in documents]
        if answers and all(a["summary"]["status"] == "error" for a in answers):
            first = answers[0]["summary"]
            return JSONResponse({"error": first.get("reason"), "message": first.get("error"),
                                 "documents": answers}, status_code=422)
        return JSONResponse({"documents": answers})

    @app.get("/api/rules", summary="Every finding code with its explanation")
    async def rules() -> list[dict[str, Any]]:
        return rule_catalogue()

    @app.get("/api/rules/{code}", summary="One rule as `indicators rule CODE` prints it")
    async def rule(code: str) -> dict[str, Any]:
        from extractor import ruledocs

        found = ruledocs.find_rule(code)
        if found is None:
            raise HTTPException(404, ruledocs.unknown_code_message(code))
        entry = next(r for r in rule_catalogue() if r["code"] == found.code)
        out = io.StringIO()
        await asyncio.to_thread(ruledocs.write_rule, found, out)  # runs the example, as the CLI does
        return {**entry, "page": out.getvalue()}

    @app.get("/api/labels", summary="Chinese labels of the enum values")
    async def labels() -> dict[str, Any]:
        from extractor.labels import table

        return table()

    @app.get("/api/status", summary="Workers, queue and memory")
    async def status() -> dict[str, Any]:
        return {"version": __version__, "workers": settings.workers, "queue": settings.queue,
                "admitted": pool.admitted, "documents": pool.documents,
                "max_upload_mb": settings.max_upload_mb, "timeout": settings.timeout,
                "memory_mb": settings.memory_mb, "server_rss_mb": _rss_mb(),
                "peak_worker_rss_mb": pool.peak_worker_rss_mb}

    @app.post("/api/export/{fmt}", summary="report.xlsx, CSV or JSONL of the given records")
    async def export(fmt: str, request: Request) -> Response:
        """Body: `{"records": [...], "findings": [...], "documents": [...]}` as /api/extract gives
        them (the page sends what it shows). xlsx: report.xlsx as `indicators tag` writes it;
        csv: the records as `indicators extract --format csv`; jsonl: one record per line."""
        if fmt not in ("xlsx", "csv", "jsonl"):
            raise HTTPException(404, "format: xlsx, csv or jsonl")
        try:
            body = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "a JSON body with records, findings and documents") from exc
        if not isinstance(body, dict):
            raise HTTPException(400, "a JSON object with records, findings and documents")
        records = [r for r in body.get("records") or [] if isinstance(r, dict)]
        findings = [f for f in body.get("findings") or [] if isinstance(f, dict)]
        documents = [d for d in body.get("documents") or [] if isinstance(d, dict)]
        try:
            content, media = await asyncio.to_thread(_export, fmt, records, findings, documents)
        except (KeyError, TypeError, ValueError) as exc:
            raise HTTPException(400, f"records not in the SCHEMA shape: {exc}") from exc
        return Response(content, media_type=media,
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_QUOTED[fmt]}"})

    return app


_QUOTED = {"xlsx": "report.xlsx", "csv": "indicators.csv", "jsonl": "indicators.jsonl"}


async def _input(request: Request) -> tuple[bytes | str, str]:
    """(bytes or text, the name it goes by) from a multipart upload or a JSON body."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, "multipart upload: send the document in a field named 'file'")
        try:
            data = await upload.read()
        finally:
            await upload.close()
            await form.close()
        return data, safe_name(upload.filename)
    if kind.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "the JSON body does not parse") from exc
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise HTTPException(422, 'JSON body: {"text": "…", "name": "optional name"}')
        return body["text"], safe_name(body.get("name") if isinstance(body.get("name"), str) else None,
                                       "<text>")
    raise HTTPException(415, "send the document as multipart/form-data (field 'file') or JSON {\"text\": …}")


async def _run(pool: Pool, data: bytes | str, name: str, mode: str, with_text: bool) -> list[dict]:
    if isinstance(data, bytes) and is_zip_upload(data, name):
        listing = await pool.members(data, name)
        if "members" not in listing:
            from extractor.summary import error_summary

            return [{"summary": error_summary(name, listing["error"], listing["message"])}]
        members = listing["members"]
        if not members:
            from extractor.summary import error_summary

            return [{"summary": error_summary(name, "empty", f"{name}: an empty ZIP archive")}]
        if len(members) > MAX_MEMBERS:
            from extractor.summary import error_summary

            return [{"summary": error_summary(name, "too_large", f"{name}: {len(members)} documents in "
                                              f"one archive, over the {MAX_MEMBERS} the server takes "
                                              "at once (use `indicators tag`)")}]
        return list(await asyncio.gather(*(pool.document(data, name, m, mode, with_text) for m in members)))
    return [await pool.document(data, name, None, mode, with_text)]


def _shape(out: dict[str, Any], mode: str, wanted: set[str]) -> dict[str, Any]:
    answer: dict[str, Any] = {"summary": out["summary"]}
    if mode == "extract":
        answer["records"] = out.get("records", [])
        if "findings" in wanted:
            answer["findings"] = out.get("findings", [])
    else:
        answer["findings"] = out.get("findings", [])
        if "records" in wanted:
            answer["records"] = out.get("records", [])
    if "text" in wanted and "text" in out:
        answer["text"] = out["text"]
    return answer


@cache
def rule_catalogue() -> list[dict[str, Any]]:
    """The rules as `indicators rules` lists them (RULES.md order), with what
    `indicators rule CODE` explains: the same declarations, the same words."""
    from extractor import ruledocs
    from extractor.checks import RULES
    from extractor.checks.base import families
    from extractor.labels import label

    names = families()
    ordered = sorted(RULES, key=lambda r: ruledocs.rules_md_id(r) or r.code)
    return [{"code": r.code, "id": ruledocs.rules_md_id(r), "title": r.title, "family": r.family,
             "family_label": names[r.family], "severity": r.severity,
             "severity_label": label("severity", r.severity), "description": ruledocs._description(r),
             "why": r.why, "example": r.example, "better": r.better} for r in ordered]


def _export(fmt: str, records: list[dict], findings: list[dict], documents: list[dict]) -> tuple[bytes, str]:
    from extractor.export import write_csv, write_jsonl

    if fmt == "jsonl":
        out = io.StringIO()
        write_jsonl(records, out)
        return out.getvalue().encode("utf-8"), "application/x-ndjson; charset=utf-8"
    if fmt == "csv":
        out = io.StringIO()
        write_csv(records, out)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    from extractor.workbook import write_report

    with tempfile.TemporaryDirectory(prefix="indicators-report-") as folder:
        root = Path(folder)
        for name, rows in (("indicators.jsonl", records), ("findings.jsonl", findings),
                           ("documents.jsonl", documents)):
            with (root / name).open("w", encoding="utf-8") as handle:
                write_jsonl(rows, handle)
        write_report(root, root / "report.xlsx", progress=False)
        content = (root / "report.xlsx").read_bytes()
    return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _api_reference(spec: dict[str, Any]) -> str:
    """/docs: the OpenAPI description as a page that needs nothing from the internet (FastAPI's
    Swagger UI loads its script from a CDN: it is at /docs/swagger, for machines online)."""
    from html import escape

    parts = [f"<h1>{escape(spec['info']['title'])} API {escape(spec['info']['version'])}</h1>",
             f"<p>{escape(spec['info'].get('description', ''))}</p>",
             '<p>机器可读的说明 OpenAPI: <a href="/openapi.json">/openapi.json</a> · 交互式 Swagger UI '
             '(needs internet for its script): <a href="/docs/swagger">/docs/swagger</a> · '
             '<a href="/">返回审核页面</a></p>']
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            params = "".join(f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}) "
                             f"{escape(p.get('description', ''))}</li>" for p in operation.get("parameters", []))
            body = ", ".join(escape(kind) for kind in operation.get("requestBody", {}).get("content", {}))
            codes = " · ".join(f"{escape(str(code))} {escape(answer.get('description', ''))}"
                               for code, answer in operation.get("responses", {}).items())
            parts.append(f"<section class='rule'><h2><code>{method.upper()} {escape(path)}</code> — "
                         f"{escape(operation.get('summary', ''))}</h2>"
                         f"<div class='body'><p>{escape(operation.get('description', ''))}</p>"
                         f"{'<ul>' + params + '</ul>' if params else ''}"
                         f"{f'<p>请求体 body: {body}</p>' if body else ''}<p class='muted'>{codes}</p></div></section>")
    return ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>indicators API</title>"
            "<link rel='icon' href='data:,'><link rel='stylesheet' href='/static/app.css'></head>"
            f"<body><main class='rules-view'>{''.join(parts)}</main></body></html>")


def _rss_mb() -> float | None:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    from extractor.tag import peak_rss_mb

    return peak_rss_mb()


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          settings: Settings | None = None) -> None:
    """Run the server until interrupted (`indicators serve`)."""
    import threading
    import webbrowser

    import uvicorn

    address = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/"
    print(f"indicators serve: {address}  (API documentation: {address}docs; Ctrl+C stops)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"indicators serve: listening on {host}: other machines can reach this page", flush=True)
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(address,)).start()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
