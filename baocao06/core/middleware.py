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
    """Tags each request with an id for logs and audit: the proxy's X-Request-ID when the request comes
    from a trusted proxy (BAOCAO06_TRUSTED_PROXIES) and the id is well-formed, a new one otherwise — a
    client must not choose the id its actions are audited under."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        trusted = incoming and _SAFE_ID.match(incoming) and from_trusted_proxy(request)
        request_id = incoming if trusted else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def from_trusted_proxy(request) -> bool:
    """Whether REMOTE_ADDR is one of BAOCAO06_TRUSTED_PROXIES (addresses or networks)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    for entry in settings.BAOCAO06_TRUSTED_PROXIES:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


class RequestIdLogFilter(logging.Filter):
    """Puts the request id on every log record. Django logs a request's 4xx/5xx line after the
    middleware has returned, so the id is also read from the record's request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id == "-":
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        return True


class BodyLimitMiddleware:
    """Refuses a request body over its limit from Content-Length alone, before anything reads it
    (CSRF reads form bodies before the view runs).

    Limits: a view's own (`allows_body`), else BAOCAO06_MAX_UPLOAD_BYTES for multipart bodies (files),
    else DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses such a body when it is read anyway). A body
    without Content-Length is not read at all by Django under WSGI.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = getattr(view_func, "max_body_bytes", None)
        if limit is None:
            multipart = request.content_type == "multipart/form-data"
            limit = settings.BAOCAO06_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or length <= limit:
            return None
        logger = logging.getLogger("baocao06.access")
        logger.warning("body too large: %s bytes > %s path=%s", length, limit, request.path)
        return too_large(request, limit)


def allows_body(max_bytes: int):
    """Give a view its own body limit (an upload view whose files are larger than a form)."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        return view

    return decorate


def _wants_json(request) -> bool:
    return (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    )


def too_large(request, limit: int):
    from django.http import HttpResponse, JsonResponse

    megabytes = f"{limit / 1024 / 1024:.1f}".replace(".", ",").replace(",0", "")
    message = f"Dữ liệu gửi lên quá lớn; giới hạn {megabytes} MB."
    if _wants_json(request):
        return JsonResponse({"code": "too_large", "error": message}, status=413)
    return HttpResponse(_page("Dữ liệu quá lớn", message), status=413, content_type="text/html; charset=utf-8")


def _page(title: str, message: str) -> str:
    return f'<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><title>{title}</title><p>{message}</p></html>'


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers that Django does not set by itself; and no caching
    of anything served to a signed-in person or an API client (a shared computer's browser cache or a
    proxy must not keep a report)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Decided from the request's credentials, not request.user: no database read here (it may be down).
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "Authorization" in request.headers:
            add_never_cache_headers(response)
        return response


RETRY_AFTER = "5"
DATABASE_ERRORS = ("OperationalError", "InterfaceError")


def is_database_unavailable(exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, OperationalError | InterfaceError)


def unavailable(request):
    """The 503 for a database that is restarting or unreachable: JSON for API and autosave, a short
    Vietnamese page otherwise, with Retry-After; never the error's text."""
    from django.http import HttpResponse, JsonResponse

    message = (
        "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Dữ liệu đã lưu không bị mất; vui lòng thử lại sau ít giây."
    )
    if _wants_json(request):
        response = JsonResponse({"code": "unavailable", "error": message}, status=503)
    else:
        response = HttpResponse(
            _page("Tạm thời gián đoạn", message), status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseUnavailableMiddleware:
    """A database that is restarting or unreachable answers 503 with Retry-After, not a stack trace.

    This catches the error when a view raises it; when a middleware does (reading the signed-in person
    before any view runs), the 500 handler (core.views.server_error) gives the same answer. Autosave in
    the browser retries on 5xx and keeps what was typed locally meanwhile; API clients get the same JSON
    error shape as other errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        logging.getLogger("baocao06.db").error("database unavailable: %s", type(exception).__name__)
        return unavailable(request)
