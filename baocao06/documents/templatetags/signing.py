from django import template

from baocao06.documents.signing import server_signing_configured

register = template.Library()


@register.simple_tag
def server_signing() -> bool:
    """Whether the organisation's certificate is configured (the "sign on the server" road is open)."""
    return server_signing_configured()
