import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao06.settings")
application = get_wsgi_application()

# Load the views and the commonest templates now, while the worker boots, not in its first request.
from baocao06.core.warmup import warm_up  # noqa: E402 - needs the settings configured above

warm_up()
