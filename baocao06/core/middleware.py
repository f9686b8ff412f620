"""Request id and security headers for every response."""

import contextvars
import logging
import re
import uuid

from django.conf import settings

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    """The id of the request being served (or '-' outside a request, e.g. in a command)."""
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


class RequestIdMiddleware:
    """Tags each request with an id (a proxy's X-Request-ID when well-formed) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers that Django does not set by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DatabaseUnavailableMiddleware:
    """A database that is restarting or unreachable answers 503 with Retry-After, not a stack trace.

    Autosave in the browser retries on 5xx and keeps what was typed locally meanwhile; API clients
    get the same JSON error shape as other errors.
    """

    RETRY_AFTER = "5"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse, JsonResponse

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logging.getLogger("baocao06.db").error("database unavailable: %s", type(exception).__name__)
        message = (
            "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. "
            "Dữ liệu đã lưu không bị mất; vui lòng thử lại sau ít giây."
        )
        wants_json = (
            request.path.startswith("/api/")
            or "application/json" in request.headers.get("Accept", "")
            or (request.content_type == "application/json")
        )
        if wants_json:
            response = JsonResponse({"code": "unavailable", "error": message}, status=503)
        else:
            response = HttpResponse(
                f'<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><title>Tạm thời gián đoạn</title>'
                f"<p>{message}</p></html>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = self.RETRY_AFTER
        return response
