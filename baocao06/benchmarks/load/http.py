"""A small HTTP/1.1 client on asyncio streams: what the load test sends, at a fraction of httpx's CPU.

The load test's client runs on the machine it measures. With httpx it took 4–5 ms of CPU per request
(`manage.py loadtest` prints it as *khách*), as much as the server's answer to /healthz: at 150
requests a second that is most of a core taken from the server on a 2-core machine. The load test needs
little: one request per connection (gunicorn's sync workers close every connection after their
answer), a body with a Content-Length, the answer's status, headers and body. No cookie jar: each
request carries its own person's `Cookie` header or none. No redirects followed. Anything the server
sends that is not a plain HTTP/1.x answer raises `ProtocolError` (an OSError, counted as an error).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit


class ProtocolError(OSError):
    """The answer could not be read as HTTP."""


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    content: bytes

    def json(self):
        return json.loads(self.content)


class Client:
    """`get`, `post`, `put` as httpx's AsyncClient spells them (`content=`, `data=`, `headers=`)."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc) -> None:
        return None

    async def get(self, url: str, *, headers: dict | None = None) -> Response:
        return await self.request("GET", url, headers=headers)

    async def post(self, url: str, *, content=None, data: dict | None = None, headers: dict | None = None):
        return await self.request("POST", url, content=content, data=data, headers=headers)

    async def put(self, url: str, *, content=None, headers: dict | None = None) -> Response:
        return await self.request("PUT", url, content=content, headers=headers)

    async def request(self, method: str, url: str, *, content=None, data=None, headers=None) -> Response:
        return await asyncio.wait_for(self._request(method, url, content, data, headers or {}), self.timeout)

    async def _request(self, method, url, content, data, headers) -> Response:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"only http:// addresses: {url}")
        body = content if content is not None else b""
        if data is not None:
            body = urlencode(data)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        if isinstance(body, str):
            body = body.encode()
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            raw = await reader.read()  # the server closes the connection after its answer
        finally:
            writer.close()
        return parse(raw)


def parse(raw: bytes) -> Response:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ProtocolError("answer without a blank line after its headers")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        version, code = status_line.split(" ", 2)[:2]
        status = int(code)
    except ValueError:
        raise ProtocolError(f"not an HTTP status line: {status_line[:80]!r}") from None
    if not version.startswith("HTTP/1."):
        raise ProtocolError(f"not HTTP/1.x: {version[:20]!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if len(body) < length:
            raise ProtocolError(f"answer cut short: {len(body)} of {length} bytes")
        body = body[:length]
    return Response(status, headers, body)


def _unchunk(data: bytes) -> bytes:
    out, position = [], 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            raise ProtocolError("chunked answer cut short")
        size = int(data[position:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        position = end + 2 + size + 2
