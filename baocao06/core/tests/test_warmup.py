"""A web worker loads the views and the commonest templates when it boots, not in its first request."""

import importlib
from unittest import mock

from django.template import engines
from django.test import SimpleTestCase

from baocao06.core import warmup


class WarmUpTests(SimpleTestCase):
    def test_the_wsgi_application_warms_up_when_loaded(self):
        import baocao06.wsgi

        with mock.patch.object(warmup, "warm_up") as warm_up:
            importlib.reload(baocao06.wsgi)
        warm_up.assert_called_once_with()

    def test_the_templates_it_loads_exist_and_stay_compiled(self):
        self.assertEqual(warmup.warm_up(), list(warmup.TEMPLATES))
        loader = engines["django"].engine.template_loaders[0]
        if hasattr(loader, "get_template_cache"):  # the cached loader (not under DEBUG)
            for name in warmup.TEMPLATES:
                self.assertIn(name, loader.get_template_cache)
