"""Kinds of reporting units. One place, used by models, definition files and the demo."""

from django.db import models


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", "Bộ"
    MINISTRY_AGENCY = "ministry_agency", "Cơ quan ngang Bộ"
    GOVERNMENT_AGENCY = "government_agency", "Cơ quan thuộc Chính phủ"
    CENTRAL_OTHER = "central_other", "Cơ quan, tổ chức khác ở Trung ương"
    CORPORATION = "corporation", "Tập đoàn, tổng công ty nhà nước"
    PROVINCE = "province", "Tỉnh, thành phố trực thuộc Trung ương"
    COMMUNE = "commune", "Xã, phường, đặc khu"
    # A province's department or a ministry's agency: reports to its parent in the level round.
    DEPARTMENT = "department", "Sở, ban, ngành, cơ quan trực thuộc"


CENTRAL_KINDS = frozenset(
    {UnitKind.MINISTRY, UnitKind.MINISTRY_AGENCY, UnitKind.GOVERNMENT_AGENCY, UnitKind.CENTRAL_OTHER}
)
# Order in which compiled reports list units: central bodies, corporations, provinces, communes.
KIND_ORDER = {
    UnitKind.MINISTRY: 0,
    UnitKind.MINISTRY_AGENCY: 1,
    UnitKind.GOVERNMENT_AGENCY: 2,
    UnitKind.CENTRAL_OTHER: 3,
    UnitKind.CORPORATION: 4,
    UnitKind.PROVINCE: 5,
    UnitKind.COMMUNE: 6,
    UnitKind.DEPARTMENT: 7,
}
# Units that answer to a parent (a province, a ministry) in its level round, not to the Secretariat.
LOWER_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.DEPARTMENT})
