"""Preview as a unit (form and workbook) and the YAML of a version or draft (read: Secretariat and
viewers). Nothing here writes: typed preview values are checked by the engine and forgotten."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports.access import require_viewer
from baocao06.units.kinds import UnitKind
from baocao06.units.models import Unit

from . import preview
from .document import check_document, definition_spec, dump_yaml, spec_yaml
from .layout import Layout
from .models import Definition, DefinitionDraft

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCES = ("phien-ban", "ban-nhap")
_LAYOUTS: dict[str, Layout] = {}


def _source(source: str, pk: int):
    """(object, spec or None, cache key, label) of a published version or a draft."""
    if source == "phien-ban":
        definition = get_object_or_404(Definition.objects.defer("spec"), pk=pk)
        return definition, definition_spec(definition), definition.checksum, f"{definition.key} {definition.version}"
    if source == "ban-nhap":
        draft = get_object_or_404(DefinitionDraft, pk=pk)
        spec, _ = check_document(draft.document)
        digest = hashlib.sha256(draft.document_text.encode()).hexdigest()
        return draft, spec, digest, f"{draft.key} {draft.version} (bản nháp)"
    raise Http404


def _layout(spec, cache_key: str, unit: Unit) -> Layout:
    """Resolved once per process per content and day (the catalogues are read when it is first built).

    The day is today, or the last day of a unit that has ended: units that ended before it are read as
    their successors (Science and Technology sees what 4709 asked MIC; MIC still sees its own parts)."""
    from baocao06.core import clock

    today = clock.now().date()
    day = today if unit.is_valid_on(today) or unit.valid_to is None else unit.valid_to
    cache_key = f"{cache_key}:{day.isoformat()}"
    layout = _LAYOUTS.get(cache_key)
    if layout is None:
        layout = _LAYOUTS[cache_key] = preview.preview_layout(spec, day)
        while len(_LAYOUTS) > 8:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
    return layout


def _unit(key: str) -> Unit:
    unit = Unit.objects.filter(key=key.strip()).first()
    if unit is None:
        raise Http404
    return unit


def unit_choices():
    """Every unit but communes (chosen by key), central bodies first, with the years they existed."""
    groups: dict[str, list] = {}
    labels = dict(UnitKind.choices)
    for unit in Unit.objects.exclude(kind=UnitKind.COMMUNE).in_report_order():
        suffix = f" (đến {unit.valid_to:%m/%Y})" if unit.valid_to else ""
        groups.setdefault(labels.get(unit.kind, unit.kind), []).append((unit.key, f"{unit.name}{suffix}"))
    return list(groups.items())


@login_required
@require_GET
def preview_page(request, source: str, pk: int):
    require_viewer(request.user)
    obj, spec, cache_key, label = _source(source, pk)
    unit_key = (request.GET.get("ma") or request.GET.get("don_vi") or "").strip()[:24]
    context = {
        "source": source,
        "obj": obj,
        "label": label,
        "unit_key": unit_key,
        "unit_choices": unit_choices(),
        "back_url": reverse("definitions:draft" if source == "ban-nhap" else "definitions:definition", args=[pk]),
        "invalid": spec is None,
    }
    if spec is not None and unit_key:
        unit = Unit.objects.filter(key=unit_key).first()
        if unit is None:
            context["unknown_unit"] = True
        else:
            layout = _layout(spec, cache_key, unit)
            check_url = reverse("definitions:preview_check", args=[source, pk, unit.key])
            context |= preview.page_context(layout, unit, check_url)
            context["unit"] = unit
            context["workbook_url"] = reverse("definitions:preview_workbook", args=[source, pk, unit.key])
    return render(request, "definitions/preview.html", context)


@login_required
@require_POST
def preview_check(request, source: str, pk: int, unit_key: str):
    """What the unit's autosave would answer for a typed part, computed and never stored."""
    require_viewer(request.user)
    _, spec, cache_key, _ = _source(source, pk)
    if spec is None:
        return JsonResponse({"code": "invalid", "error": "Bản nháp còn lỗi; sửa xong mới xem trước được."}, status=409)
    try:
        payload = json.loads(request.body or b"{}")
        data = payload.get("data")
    except (ValueError, AttributeError):
        return HttpResponseBadRequest("Dữ liệu gửi lên không hợp lệ.")
    unit = _unit(unit_key)
    body = preview.check_part(_layout(spec, cache_key, unit), unit, request.GET.get("part", ""), data)
    if body is None:
        return JsonResponse({"error": "Phần báo cáo không tồn tại."}, status=404)
    return JsonResponse(body)


@login_required
@require_GET
def preview_workbook(request, source: str, pk: int, unit_key: str):
    require_viewer(request.user)
    _, spec, cache_key, label = _source(source, pk)
    if spec is None:
        raise Http404
    unit = _unit(unit_key)
    response = HttpResponse(preview.workbook(_layout(spec, cache_key, unit), unit, label), content_type=XLSX)
    filename = preview.workbook_filename(spec.key, spec.version, unit.key)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def yaml_view(request, source: str, pk: int):
    """The definition as its canonical YAML (the exchange format): shown, or downloaded with ?tai=1."""
    require_viewer(request.user)
    obj, spec, _, label = _source(source, pk)
    text = spec_yaml(spec) if spec is not None else dump_yaml(obj.document)
    key, version = (spec.key, spec.version) if spec is not None else (obj.key, obj.version)
    if request.GET.get("tai"):
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        filename = "".join(c for c in f"{key}-{version}.yaml" if c.isalnum() or c in "-_.")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    back = reverse("definitions:draft" if source == "ban-nhap" else "definitions:definition", args=[pk])
    return render(
        request,
        "definitions/yaml.html",
        {"text": text, "label": label, "back_url": back, "source": source, "obj": obj, "valid": spec is not None},
    )
