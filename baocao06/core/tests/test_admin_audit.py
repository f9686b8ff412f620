"""Every change made in the admin is an audit event; refusals answer 403 and are logged.

The walk goes through every registered model admin, so an admin added later without audited
actions fails here: add a factory for its model below and route its saves through `do_*` actions.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts.models import GlobalRole, Membership, UnitRole, User
from baocao06.api.actions import do_create_token
from baocao06.audit.models import AuditEvent
from baocao06.catalogues.models import Programme, Service, Task
from baocao06.core.admin_access import AuditedAdmin
from baocao06.notifications.models import Notification
from baocao06.test import BaseTestCase, login_client, make_user
from baocao06.units.models import Unit

# Tables whose writes are bookkeeping, not data: the audit log itself, Django's admin history, sessions.
BOOKKEEPING = ("audit_auditevent", "django_admin_log", "django_session")
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def data_writes(queries) -> list[str]:
    tables = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in BOOKKEEPING:
            tables.append(match.group(2))
    return tables


def post_data(form, prefix_fields=()) -> dict[str, list[str]]:
    """What a browser would send for `form` as rendered (selected options, checked boxes, values)."""
    data: dict[str, list[str]] = {}
    for bound in form:
        if bound.field.disabled:
            continue
        widget = bound.field.widget
        while isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        rendered = list(widget.subwidgets(bound.html_name, bound.value(), {"id": bound.auto_id}))
        rendered = [sub for attrs in rendered for sub in attrs.get("subwidgets", [attrs])]
        for attrs in rendered:
            if "selected" in attrs:  # an option of a select, radio or checkbox list
                if attrs["selected"]:
                    data.setdefault(attrs["name"], []).append(str(attrs["value"]))
            elif attrs.get("type") == "checkbox":
                if attrs["attrs"].get("checked"):
                    data.setdefault(attrs["name"], []).append("on")
            else:
                value = attrs.get("value")
                data.setdefault(attrs["name"], []).append("" if value is None else str(value))
    return data


def edit_one_field(form, data) -> str:
    """Change one field as a person would: a text field gets words added, else a choice changes."""
    model = form._meta.model
    for bound in form:
        field = bound.field
        names = {f.name for f in model._meta.get_fields()}
        if bound.name not in names:  # a form-only field
            continue
        model_field = model._meta.get_field(bound.name)
        if field.disabled or getattr(model_field, "unique", False) or bound.name in {"username", "password", "key"}:
            continue
        if type(field) is forms.CharField and not getattr(field, "choices", None):
            data[bound.html_name] = [(data.get(bound.html_name) or [""])[0] + " (sửa)"]
            return bound.name
    for bound in form:
        choices = [str(v) for v, _ in getattr(bound.field, "choices", []) if v not in ("", None)]
        current = (data.get(bound.html_name) or [""])[0]
        others = [c for c in choices if c != current]
        if isinstance(bound.field, forms.TypedChoiceField | forms.ChoiceField) and others and not bound.field.disabled:
            data[bound.html_name] = [others[0]]
            return bound.name
    raise AssertionError(f"nothing to edit in the {model.__name__} form")


class AdminAuditTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.root = make_user("quantri", global_role=GlobalRole.SECRETARIAT)
        User.objects.filter(pk=cls.root.pk).update(is_superuser=True, is_staff=True)
        cls.root.refresh_from_db()

    def factory(self, label: str):
        """A fresh object of each model an admin can change or delete."""
        n = Unit.objects.count()
        makers = {
            "units.unit": lambda: Unit.objects.create(key=f"T{n}", code=f"9{n}", name=f"Đơn vị {n}", kind="ministry"),
            "catalogues.service": lambda: Service.objects.create(
                code=f"DV-T{n}", name="Dịch vụ thử", programme=Programme.QD206
            ),
            "catalogues.task": lambda: Task.objects.create(code=f"NV-T{n}", title="Nhiệm vụ thử"),
            "accounts.user": lambda: make_user(f"nguoi.{n}"),
            "accounts.membership": lambda: Membership.objects.create(
                user=make_user(f"thanh.vien.{n}"), unit=self.province, role=UnitRole.REPORTER
            ),
            "api.apitoken": lambda: do_create_token(
                name="thử", unit=self.province, role="reporter", expires_at=timezone.now() + dt.timedelta(9), actor=None
            )[0],
        }
        self.assertIn(label, makers, f"add a factory for {label} and audit its admin's saves")
        return makers[label]()

    def writable_admins(self):
        request = self.client.get(reverse("admin:index")).wsgi_request
        for model, model_admin in admin.site._registry.items():
            label = model._meta.label_lower
            change, delete = model_admin.has_change_permission(request), model_admin.has_delete_permission(request)
            if change or delete or model_admin.has_add_permission(request):
                yield model, model_admin, label, change, delete

    def test_every_admin_is_audited_or_read_only(self):
        login_client(self.client, self.root)
        for _model, model_admin, label, _, _ in self.writable_admins():
            self.assertIsInstance(model_admin, AuditedAdmin, f"{label}: its saves must go through audited actions")

    def test_a_save_in_every_admin_writes_an_audit_event(self):
        login_client(self.client, self.root)
        walked = []
        for model, _, label, change, _ in self.writable_admins():
            if not change:
                continue
            obj = self.factory(label)
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
            page = self.client.get(url)
            form = page.context["adminform"].form
            data = post_data(form)
            for inline in page.context["inline_admin_formsets"]:
                data.update(post_data(inline.formset.management_form))
                for inline_form in inline.formset.forms:
                    data.update(post_data(inline_form))
            edited = edit_one_field(form, data) if form.fields else None
            before = AuditEvent.objects.count()
            with CaptureQueriesContext(connection) as queries:
                response = self.client.post(url, data)
            errors = response.context and response.context.get("errors")
            self.assertEqual(response.status_code, 302, f"{label}: {errors}")
            writes = data_writes(queries.captured_queries)
            if not writes:
                self.assertIsNone(edited, f"{label}: {edited} was edited but nothing was written")
                continue
            events = AuditEvent.objects.filter(pk__gt=0).order_by("-id")[: AuditEvent.objects.count() - before]
            event = next((e for e in events if e.object_id == str(obj.pk)), None)
            self.assertIsNotNone(event, f"{label}: {writes} written without an audit event")
            self.assertEqual((event.action, event.actor), (f"{model._meta.model_name}.changed", self.root))
            self.assertIn(edited, [c["place"] for c in event.changes], label)
            walked.append(label)
        expected = {"units.unit", "catalogues.service", "catalogues.task", "accounts.membership", "accounts.user"}
        self.assertLessEqual(expected, set(walked))

    def test_a_delete_in_every_admin_that_allows_it_writes_an_audit_event(self):
        login_client(self.client, self.root)
        for model, _, label, _, delete in self.writable_admins():
            if not delete:
                continue
            obj = self.factory(label)
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
            with CaptureQueriesContext(connection) as queries:
                self.client.post(url, {"post": "yes"})
            if data_writes(queries.captured_queries):
                event = AuditEvent.objects.filter(action=f"{model._meta.model_name}.deleted").order_by("id").last()
                self.assertIsNotNone(event, f"{label}: deleted without an audit event")
                self.assertEqual((event.object_id, event.actor), (str(obj.pk), self.root))
                self.assertFalse(model.objects.filter(pk=obj.pk).exists())

    def test_the_secretariat_adds_a_service_and_the_audit_has_every_field(self):
        login_client(self.client, self.secretariat)
        response = self.client.post(
            reverse("admin:catalogues_service_add"),
            {"code": "DV-MOI", "number": "26", "name": "Dịch vụ mới", "programme": "QD206", "position": "1"},
        )
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action="service.created")
        self.assertEqual(event.actor, self.secretariat)
        self.assertIn({"place": "name", "old": None, "new": "Dịch vụ mới"}, event.changes)

    def test_a_bulk_delete_is_audited_one_event_per_object(self):
        login_client(self.client, self.root)
        tasks = [Task.objects.create(code=f"NV-X{i}", title="x") for i in range(3)]
        self.client.post(
            reverse("admin:catalogues_task_changelist"),
            {"action": "delete_selected", "_selected_action": [t.pk for t in tasks], "post": "yes"},
        )
        self.assertFalse(Task.objects.filter(code__startswith="NV-X").exists())
        deleted = AuditEvent.objects.filter(action="task.deleted").values_list("object_id", flat=True)
        self.assertEqual(sorted(deleted), sorted(str(t.pk) for t in tasks))


class SelfGrantTests(BaseTestCase):
    def test_the_secretariat_cannot_make_itself_a_units_approver(self):
        login_client(self.client, self.secretariat)
        with self.assertLogs("baocao06.access", "WARNING") as logs:
            response = self.client.post(
                reverse("admin:accounts_membership_add"),
                {"user": self.secretariat.pk, "unit": self.province.pk, "role": UnitRole.APPROVER},
            )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Membership.objects.filter(user=self.secretariat).exists())
        self.assertIn(f"admin action denied: user={self.secretariat.pk}", logs.output[-1])
        self.assertFalse(AuditEvent.objects.filter(action="membership.created").exists())

    def test_the_secretariat_grants_a_role_to_someone_else_audited(self):
        login_client(self.client, self.secretariat)
        newcomer = make_user("moi.cv")
        response = self.client.post(
            reverse("admin:accounts_membership_add"),
            {"user": newcomer.pk, "unit": self.province.pk, "role": UnitRole.APPROVER},
        )
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action="membership.created")
        self.assertEqual((event.actor, event.unit), (self.secretariat, self.province))
        self.assertIn({"place": "role", "old": None, "new": "approver"}, event.changes)

    def test_nobody_changes_their_own_role_either(self):
        login_client(self.client, self.approver)
        membership = Membership.objects.get(user=self.approver)
        User.objects.filter(pk=self.approver.pk).update(global_role=GlobalRole.SECRETARIAT)
        self.approver.refresh_from_db()
        response = self.client.post(
            reverse("admin:accounts_membership_change", args=[membership.pk]),
            {"user": self.approver.pk, "unit": self.other_province.pk, "role": UnitRole.APPROVER},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Membership.objects.get(pk=membership.pk).unit, self.ministry)

    def test_a_superuser_cannot_grant_themselves_a_role_on_their_own_user_page(self):
        root = make_user("goc", global_role=GlobalRole.SECRETARIAT)
        User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)
        login_client(self.client, root)
        url = reverse("admin:accounts_user_change", args=[root.pk])
        page = self.client.get(url)
        data = post_data(page.context["adminform"].form)
        [inline] = page.context["inline_admin_formsets"]
        data.update(post_data(inline.formset.management_form))
        data.update(post_data(inline.formset.empty_form))
        prefix = inline.formset.prefix
        data = {k.replace("__prefix__", "0"): v for k, v in data.items()}
        data.update({f"{prefix}-TOTAL_FORMS": ["1"], f"{prefix}-0-unit": [str(self.province.pk)]})
        data[f"{prefix}-0-role"] = [UnitRole.APPROVER]
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Membership.objects.filter(user=root).exists())


class AdminDenialTests(BaseTestCase):
    def test_people_without_the_role_get_403_and_it_is_logged(self):
        for user in (self.reporter, self.approver, self.viewer):
            login_client(self.client, user)
            with self.assertLogs("baocao06.access", "WARNING") as logs:
                response = self.client.get(reverse("admin:catalogues_service_changelist"))
            self.assertEqual(response.status_code, 403, user)
            line = f"WARNING:baocao06.access:admin access denied: user={user.pk} path=/quan-tri/catalogues/service/"
            self.assertEqual(logs.output, [line])

    def test_the_secretariat_is_refused_the_people_admin_with_403_logged(self):
        login_client(self.client, self.secretariat)
        with self.assertLogs("baocao06.access", "WARNING") as logs:
            response = self.client.get(reverse("admin:accounts_user_changelist"))
        self.assertEqual(response.status_code, 403)
        self.assertIn("admin action denied", logs.output[0])

    def test_a_password_set_in_the_admin_is_audited_and_told_to_the_person(self):
        root = make_user("goc", global_role=GlobalRole.SECRETARIAT)
        User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)
        login_client(self.client, root)
        new = "Cây-Đa-Bến-Nước-Sân-Đình"
        response = self.client.post(
            reverse("admin:auth_user_password_change", args=[self.reporter.pk]),
            {"password1": new, "password2": new, "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 302)
        self.reporter.refresh_from_db()
        self.assertTrue(self.reporter.check_password(new))
        event = AuditEvent.objects.get(action="account.password_changed")
        self.assertEqual((event.actor, event.object_id, event.data["by_self"]), (root, str(self.reporter.pk), False))
        self.assertTrue(Notification.objects.filter(user=self.reporter, kind="security").exists())


class LoadCommandAuditTests(BaseTestCase):
    def test_load_units_records_what_it_changed(self):
        Unit.objects.filter(key="P01").update(name="Hà Nội cũ")
        call_command("load_units", stdout=StringIO())
        event = AuditEvent.objects.filter(action="units.loaded").order_by("id").last()
        self.assertIn({"place": "P01/name", "old": "Hà Nội cũ", "new": "Hà Nội"}, event.changes)
        self.assertTrue(event.actor_label.startswith("lệnh load_units"))
        call_command("load_units", "--user", "thuky", stdout=StringIO())  # nothing changed: no event
        self.assertEqual(AuditEvent.objects.filter(action="units.loaded").order_by("id").last(), event)

    def test_load_catalogues_records_what_it_changed(self):
        service = Service.objects.first()
        Service.objects.filter(pk=service.pk).update(name="Tên cũ")
        call_command("load_catalogues", "--user", "thuky", stdout=StringIO())
        event = AuditEvent.objects.filter(action="services.loaded").order_by("id").last()
        self.assertEqual(event.actor, self.secretariat)
        self.assertIn({"place": f"{service.code}/name", "old": "Tên cũ", "new": service.name}, event.changes)

    def test_load_definition_records_a_new_version(self):
        from baocao06.test import DEFINITION_4709

        text = DEFINITION_4709.read_text(encoding="utf-8")
        path = self.tmp_definition(re.sub(r"(?m)^version: .*$", "version: 2024-h1-thu", text, count=1))
        call_command("load_definition", str(path), stdout=StringIO())
        event = AuditEvent.objects.filter(action="definition.loaded").order_by("id").last()
        self.assertEqual(event.data["version"], "2024-h1-thu")
        self.assertTrue(event.actor_label.startswith("lệnh load_definition"))

    def tmp_definition(self, text):
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in folder.iterdir()] and folder.rmdir())
        path = folder / "def.yaml"
        path.write_text(text, encoding="utf-8")
        return path
