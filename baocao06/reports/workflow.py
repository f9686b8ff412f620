"""The report state machine. Every status change goes through `next_status`."""

from .models import ReportStatus as S


class IllegalTransition(Exception):
    """An action that the report's current state does not allow."""

    def __init__(self, action: str, status: str):
        self.action = action
        self.status = status
        label = S(status).label if status in S.values else status
        super().__init__(f"Không thể {ACTION_LABELS.get(action, action)} khi báo cáo ở trạng thái “{label}”.")


ACTION_LABELS = {
    "save": "sửa báo cáo",
    "submit": "gửi báo cáo",
    "accept": "tiếp nhận báo cáo",
    "return": "trả lại báo cáo",
    "reopen": "mở lại báo cáo",
}

TRANSITIONS: dict[str, dict[str, str]] = {
    "save": {S.NOT_STARTED: S.DRAFT, S.DRAFT: S.DRAFT, S.RETURNED: S.RETURNED},
    "submit": {S.NOT_STARTED: S.SUBMITTED, S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    "accept": {S.SUBMITTED: S.ACCEPTED},
    "return": {S.SUBMITTED: S.RETURNED},
    "reopen": {S.ACCEPTED: S.RETURNED},
}


def next_status(action: str, status: str) -> str:
    try:
        return TRANSITIONS[action][status]
    except KeyError:
        raise IllegalTransition(action, status) from None


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS.get(action, {})
