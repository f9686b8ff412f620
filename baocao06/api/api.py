"""The HTTP API (`/api/v1`): the same reports, rules and actions as the browser, for other systems.

Authentication is a per-unit token in `Authorization: Bearer …` on every request (no cookies, no
session). Writes go through the same actions as the browser (`do_save_part`, `do_submit_report`),
with optimistic concurrency by `ETag`/`If-Match` on each part and idempotent submission by
`Idempotency-Key`. Errors are JSON: `{"code", "error", "problems": [Problem.as_dict()…]}`, with
the same place names as the report page.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from baocao06.reports.actions import (
    Conflict,
    IdempotencyMismatch,
    NotEditable,
    StaleRevisions,
    SubmitRefused,
    context_for,
    do_save_part,
    do_submit_report,
    fingerprint,
    view_for,
)
from baocao06.reports.models import ReportPart
from baocao06.rounds.models import Round

from . import presenters
from .access import MAX_ID, api_report, authenticate, require_viewer
from .schemas import (
    CheckOut,
    DefinitionOut,
    ErrorOut,
    NationalOut,
    PartIn,
    PartOut,
    ReportOut,
    RoundOut,
    SubmitIn,
    SubmitOut,
    TokenOut,
)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,120}$")
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class VietnameseJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # messages readable as they are, not \u escapes


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return authenticate(token)


api = NinjaAPI(
    title="baocao06 API",
    version="1",
    description=(
        "Báo cáo Đề án 06 cho hệ thống của Bộ, ngành, địa phương. Xác thực: `Authorization: Bearer <mã truy cập>` "
        "(Thư ký Tổ công tác cấp mã cho từng đơn vị và quyền). Ghi một phần báo cáo cần `If-Match` với `ETag` "
        "đã đọc; gửi báo cáo cần `Idempotency-Key`. Lỗi trả về JSON với vị trí theo đúng cách trang báo cáo gọi tên."
    ),
    auth=TokenAuth(),
    renderer=VietnameseJSON(),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
)


def _error(request, status: int, code: str, message: str, **extra) -> HttpResponse:
    response = api.create_response(request, {"code": code, "error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="baocao06"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(request, 401, "unauthorized", "Thiếu mã truy cập API, hoặc mã đã hết hạn hay bị thu hồi.")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:
        return _error(request, 400, "bad_request", "Nội dung yêu cầu không phải JSON hợp lệ.")
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "Không tìm thấy.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "Không có quyền.")


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return _error(request, 422, "invalid_request", "Yêu cầu không đúng định dạng.", detail=_jsonable(exc.errors))


def _jsonable(errors) -> list[dict]:
    return [
        {k: (v if isinstance(v, str | int | float | list | None) else str(v)) for k, v in e.items()} for e in errors
    ]


# --- The token ---------------------------------------------------------------------------------


@api.get("/token", response={200: TokenOut, **ERRORS}, summary="Mã truy cập đang dùng")
def token(request):
    """The token the request carries: its unit, role and expiry, so that a system can check its setup
    before it reads or writes anything (401 when the token is unknown, expired or revoked)."""
    token = request.auth
    return {"unit": token.unit.key, "role": token.role, "expires_at": token.expires_at}


# --- Rounds ------------------------------------------------------------------------------------


@api.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="Các kỳ báo cáo của đơn vị")
def rounds(request):
    """Rounds the token's unit is assigned to (a viewer token: every round), newest first."""
    token = request.auth
    if token.role == "viewer":
        return [presenters.round_out(r, None) for r in Round.objects.light().order_by("-opened_at")]
    reports = token.unit.reports.select_related("round").defer("round__layout").order_by("-round__opened_at")
    return [presenters.round_out(r.round, r) for r in reports]


@api.get(
    "/rounds/{round_id}/national",
    response={200: NationalOut, **ERRORS},
    summary="Số liệu tổng hợp toàn quốc của một kỳ (quyền xem)",
)
def national(request, round_id: int, live: bool = False):
    """The latest compilation of the round (the latest final one if there is one); with `live=true`,
    the tables computed now from the latest submitted versions (provisional, not stored)."""
    from baocao06.compilation import engine
    from baocao06.compilation.models import Snapshot

    require_viewer(request.auth)
    if not 0 < round_id <= MAX_ID:
        raise Http404
    round_ = Round.objects.light().filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    if live:
        data = engine.national_tables(round_, engine.select_versions(round_, provisional=True), provisional=True)
        return {"round_id": round_.pk, "title": round_.title, "snapshot": None, "national": data}
    snapshot = Snapshot.objects.filter(round=round_).order_by("provisional", "-number").first()
    if snapshot is None:
        return 404, {
            "code": "not_compiled",
            "error": "Kỳ báo cáo chưa được tổng hợp; dùng live=true để xem số liệu tạm tính.",
        }
    return {"round_id": round_.pk, "title": round_.title, "snapshot": snapshot, "national": snapshot.data}


# --- Reports -----------------------------------------------------------------------------------


@api.get("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="Trạng thái báo cáo")
def report_status(request, report_id: int):
    report = api_report(request.auth, report_id)
    return presenters.report_out(report)


@api.get("/reports/{report_id}/definition", response={200: DefinitionOut, **ERRORS}, summary="Đề cương và phụ lục")
def definition(request, report_id: int):
    """The sections and tables that address the unit, with their columns, rows and rules."""
    report = api_report(request.auth, report_id)
    return presenters.definition_out(view_for(report))


@api.get("/reports/{report_id}/parts/{key}", response={200: PartOut, **ERRORS}, summary="Đọc một phần (mục/phụ lục)")
def get_part(request, report_id: int, key: str, response: HttpResponse):
    report = api_report(request.auth, report_id)
    view = view_for(report)
    if not view.is_part(key):
        raise Http404
    part = ReportPart.objects.filter(report=report, key=key).first()
    response["ETag"] = presenters.etag(part.revision if part else 0)
    return presenters.part_out(view, key, part, context=context_for(report))


@api.put(
    "/reports/{report_id}/parts/{key}",
    response={200: PartOut, 409: ErrorOut, 412: ErrorOut, 428: ErrorOut, **ERRORS},
    summary="Ghi một phần của bản nháp (cần If-Match)",
)
def put_part(
    request,
    report_id: int,
    key: str,
    payload: PartIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description='ETag đã đọc, ví dụ "3"; "*" để ghi đè'),
):
    """Store the part as the browser's autosave does. A stale `If-Match` is refused with 412 and the
    current version; what was sent is kept on the server (nothing is lost)."""
    token = request.auth
    report = api_report(token, report_id, write=True, lean=True)
    view = view_for(report)
    if not view.is_part(key):
        raise Http404
    if not if_match:
        return 428, {"code": "if_match_required", "error": "Cần tiêu đề If-Match với ETag của phần này (đọc bằng GET)."}
    # The part is read here only for "*" or a malformed tag; a named revision goes straight to the
    # action, which reads the part under the report's lock anyway (one query less per autosave).
    base = presenters.revision_from_etag(if_match) if if_match.strip() != "*" else None
    if base is None:
        part = ReportPart.objects.filter(report=report, key=key).first()
        if if_match.strip() != "*":
            return 412, presenters.stale_body(view, key, part, "If-Match không khớp ETag nào của phần này.")
        base = part.revision if part else 0
    try:
        result = do_save_part(
            report, key, payload.data.model_dump(), base_revision=base, actor=token.user, source="api"
        )
    except Conflict as exc:
        fresh = ReportPart.objects.filter(report=report, key=key).first()
        response["ETag"] = presenters.etag(fresh.revision if fresh else 0)
        return 412, presenters.stale_body(view, key, fresh, str(exc))
    except NotEditable as exc:
        return 409, {"code": "not_editable", "error": str(exc)}
    response["ETag"] = presenters.etag(result.part.revision)
    return presenters.part_out(view, key, result.part, changed=result.changed, cleaned=(result.clean, result.problems))


@api.post("/reports/{report_id}/check", response={200: CheckOut, **ERRORS}, summary="Kiểm tra cả báo cáo")
def check(request, report_id: int):
    """Every problem that would block (or warn at) submission, as the report page lists them."""
    report = api_report(request.auth, report_id)
    return presenters.check_out(report)


@api.post(
    "/reports/{report_id}/submit",
    response={201: SubmitOut, 409: ErrorOut, 412: ErrorOut, **ERRORS},
    summary="Gửi báo cáo (quyền gửi; cần Idempotency-Key)",
)
def submit(
    request,
    report_id: int,
    payload: SubmitIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description="1–120 ký tự ASCII"),
):
    """Submit the draft as a new immutable version. Sending the same request again with the same
    `Idempotency-Key` returns the same version; the same key with another body is refused (422)."""
    token = request.auth
    report = api_report(token, report_id, submit=True)
    if not idempotency_key or not IDEMPOTENCY_KEY.match(idempotency_key):
        return 400, {"code": "idempotency_key_required", "error": "Cần tiêu đề Idempotency-Key (1–120 ký tự ASCII)."}
    body = payload.model_dump()
    try:
        version = do_submit_report(
            report,
            actor=token.user,
            idempotency_key=f"api:{idempotency_key}",
            request_fingerprint=fingerprint({"api": body}),
            expected_revisions=body["revisions"],
            source="api",
        )
    except IdempotencyMismatch as exc:
        return 422, {"code": "idempotency_key_reused", "error": str(exc)}
    except StaleRevisions as exc:
        stale = {k: {"expected": a, "current": b} for k, (a, b) in exc.stale.items()}
        return 412, {"code": "stale_revisions", "error": str(exc), "current": stale}
    except SubmitRefused as exc:
        return 422, {"code": "invalid_report", "error": str(exc), "problems": [p.as_dict() for p in exc.problems]}
    except NotEditable as exc:
        return 409, {"code": "not_editable", "error": str(exc)}
    report.refresh_from_db(fields=["status"])
    return 201, {"report_id": report.pk, "status": report.status, "version": presenters.version_out(version)}
