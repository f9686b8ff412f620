"""Server time of one autosave of a table part against a trivial view on the same stack."""

from django.test import Client
from django.urls import reverse

from ._timing import fmt, measure

NAME = "autosave"
DESCRIPTION = "lưu tự động một phụ lục (PL03) so với một view tối giản, cùng tiến trình"


def run(out, options):
    import json

    from baocao06.reports.models import Report

    report = Report.objects.filter(status__in=["draft", "not_started"], unit__kind="province").first()
    if report is None:
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    from baocao06.accounts.models import Membership

    user = Membership.objects.filter(unit=report.unit, role="reporter").first().user
    client = Client(SERVER_NAME="localhost")  # an allowed host outside the test runner
    client.force_login(user)  # a reporter: no second factor required
    url = reverse("reports:save_part", args=[report.pk, "PL03"])
    state = {"revision": report.parts.filter(key="PL03").values_list("revision", flat=True).first() or 0, "n": 0}

    def autosave():
        state["n"] += 1
        data = {"rows": [{"key": "DA06-03", "values": {"total": str(1000 + state["n"]), "online": "700"}}]}
        response = client.post(
            url, json.dumps({"base_revision": state["revision"], "data": data}), content_type="application/json"
        )
        state["revision"] = response.json()["revision"]

    def trivial():
        client.get(reverse("healthz"))

    repeat = max(options["repeat"] * 10, 20)
    saved, base = measure(autosave, repeat=repeat), measure(trivial, repeat=repeat)
    out.write(f"  autosave PL03     {fmt(saved)}")
    out.write(f"  trivial view      {fmt(base)}")
    ratio = saved["median"] / base["median"]
    out.write(f"  ratio (median)    {ratio:.1f}×  (one process, in-process client; the load test is separate)")
