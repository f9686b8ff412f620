from django.utils.functional import SimpleLazyObject


def unread(request):
    """The header's unread count, counted only when a page shows it (one indexed query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: user.notifications.filter(read_at__isnull=True).count())}
