"""What the remote is sent: a dossier and its history rows, built from the field sets in the protocol file.

The protocol file maps each remote field name to a source named here (SOURCES, HISTORY_SOURCES):
a province that names a field differently, or wants one more or one less, edits the file.
Dates are yyyyMMddHHmmss in Vietnam time; a date without a time (the due date) takes the
protocol's `due_time`.
"""
from datetime import date, datetime

from flask_babel import force_locale

from ..core.roles import ROLE_LABELS
from ..core.settings import get_settings
from ..core.timeutil import to_local
from ..dossiers.events import EventKind
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST, RESULT_BY_POST
from ..dossiers.states import LABELS, Status
from .protocol import protocol, status_code

KENH = {CHANNEL_COUNTER: "1", CHANNEL_ONLINE: "2", CHANNEL_POST: "3"}  # direct, online, by post
CITIZEN = "1"  # LoaiDoiTuong: 1 citizen, 2 business, 3 state agency, 4 organisation
SUMMARY_CHARS = 1000


def stamp(value, due_time=None):
    """A stored naive-UTC datetime (or a date) as yyyyMMddHHmmss in Vietnam time; '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y%m%d%H%M%S")
    if isinstance(value, date):
        return value.strftime("%Y%m%d") + (due_time or protocol().get("due_time") or "170000")
    return ""


def official_code(dossier):
    """The dossier's official code (mã hồ sơ, Circular 01/2018 Art. 19) where it has one, else its tracking code."""
    return getattr(dossier, "official_code", None) or dossier.code or str(dossier.id)


def _procedure(dossier):
    return dossier.procedure


def _procedure_code(dossier):
    procedure = _procedure(dossier)
    return (procedure.code if procedure is not None else None) or (dossier.procedure_snapshot or {}).get("code") or ""


def _procedure_local_code(dossier):
    """The province's local form (1.001193.000.00.00.H56) where the catalog keeps one, else the national code."""
    return getattr(_procedure(dossier), "local_code", None) or _procedure_code(dossier)


def _field(dossier):
    procedure = _procedure(dossier)
    return procedure.field if procedure is not None else None


def _procedure_name(dossier):
    return (dossier.procedure_snapshot or {}).get("name") or getattr(_procedure(dossier), "name", "") or ""


def _unit(dossier, settings):
    return dossier.competent_unit or dossier.receiving_unit or settings.get("receiving_unit") or \
        settings.get("commune_name") or ""


def _summary(dossier):
    text = f"{_procedure_name(dossier)} - {dossier.applicant_name}".strip(" -") or official_code(dossier)
    return text[:SUMMARY_CHARS]


def _documents(dossier, settings):
    names = [d.get("name", "") for d in (dossier.procedure_snapshot or {}).get("documents", [])]
    rows = []
    for file in dossier.files:
        if file.purpose != "document":
            continue
        index = file.document_index
        name = names[index] if index is not None and 0 <= index < len(names) else (file.original_name or "Giấy tờ khác")
        rows.append({"TepDinhKemId": str(file.id), "TenTepDinhKem": name or "Giấy tờ", "IsDeleted": "0",
                     "MaThanhPhanHoSo": "" if index is None else str(index + 1),
                     "DuongDanTaiTepTin": ""})  # our files are private: no link is shared
    return rows


def _fees(dossier, settings):
    if not dossier.fee_vnd:
        return []
    note = (dossier.procedure_snapshot or {}).get("fee_note") or "Lệ phí"
    return [{"TenPhiLePhi": note[:300], "MaPhiLePhi": "", "HinhThucThu": "1", "Gia": int(dossier.fee_vnd),
             "LoaiPhiLePhi": "1"}]


def _supplements(dossier, settings):
    rows = []
    for request in dossier.supplement_requests:
        requester = request.requested_by
        rows.append({
            "HoSoBoSungId": str(request.id),
            "NguoiYeuCauBoSung": (requester.full_name or requester.username) if requester is not None else "",
            "NoiDungBoSung": request.message or "; ".join(str(i.get("label", "")) for i in request.items or []),
            "NgayBoSung": stamp(request.requested_at),
            "NgayTiepNhanBoSung": stamp(request.answered_at),
            "TrangThaiBoSung": "1" if request.answered_at else "0",
        })
    return rows


def _results(dossier, settings):
    return [{"GiayToId": str(f.id), "TenGiayTo": f.original_name or "Kết quả", "MaThanhPhanHoSo": "",
             "DuongDanTepTinKetQua": ""} for f in dossier.files if f.purpose == "result"]


def _returned_at(dossier):
    return dossier.finished_at if dossier.status == Status.RETURNED else None


# Dossier sources: name -> fn(dossier, settings).
SOURCES = {
    "official_code": lambda d, s: official_code(d),
    "procedure_code": lambda d, s: _procedure_code(d),
    "procedure_local_code": lambda d, s: _procedure_local_code(d),
    "procedure_name": lambda d, s: _procedure_name(d),
    "field_code": lambda d, s: getattr(_field(d), "code", "") or "",
    "field_name": lambda d, s: getattr(_field(d), "name", "") or "",
    "applicant_name": lambda d, s: d.applicant_name or "",
    "applicant_kind": lambda d, s: CITIZEN,
    "applicant_portal_id": lambda d, s: "",  # the villager's DVCQG account id: we have none
    "applicant_phone": lambda d, s: d.applicant_phone or "",
    "applicant_email": lambda d, s: d.applicant_email or "",
    "summary": lambda d, s: _summary(d),
    "received_at": lambda d, s: stamp(d.received_at or d.submitted_at),
    "submitted_at": lambda d, s: stamp(d.submitted_at),
    "due_at": lambda d, s: stamp(d.due_date),
    "returned_at": lambda d, s: stamp(_returned_at(d)),
    "ready_at": lambda d, s: stamp(d.ready_at),
    "finished_at": lambda d, s: stamp(d.finished_at),
    "status_code": lambda d, s: status_code(d.status),
    "result_by_post": lambda d, s: "1" if d.result_method == RESULT_BY_POST else "0",
    "channel_code": lambda d, s: KENH.get(d.channel, "2"),
    "processing_unit": lambda d, s: _unit(d, s),
    "unit_code": lambda d, s: s.get("sync_unit_code") or "",
    "documents": _documents,
    "fees": _fees,
    "supplements": _supplements,
    "results": _results,
}


def dossier_payload(dossier, settings=None, code=None):
    """The dossier as the protocol's `dossier_fields` name it (`code`: the MaHoSo the remote knows)."""
    settings = settings if settings is not None else get_settings()
    fields = protocol()["dossier_fields"]
    return {name: code if code and source == "official_code" else SOURCES[source](dossier, settings)
            for name, source in fields.items()}


def _what(event):
    """What was done, in Vietnamese (the remote keeps it as written)."""
    if event.to_status:
        label = LABELS.get(Status(event.to_status), event.to_status)
        return f"{label}: {event.note}" if event.note else label
    with force_locale("vi"):
        label = str(EventKind.of(event.kind).clerk_label)
    return f"{label}: {event.note}" if event.note else label


def _status_after(event, dossier):
    """The dossier's state once this event happened."""
    if event.to_status:
        return event.to_status
    later = [e for e in dossier.events if e.to_status and e.id is not None and event.id is not None
             and e.id <= event.id]
    return later[-1].to_status if later else dossier.status


def _started_at(event, dossier, kinds):
    """When this step began: the previous synced event's time, else the dossier's submission."""
    earlier = [e for e in dossier.events if e.kind in kinds and e.id is not None and event.id is not None
               and e.id < event.id]
    return earlier[-1].at if earlier else (dossier.submitted_at or event.at)


HISTORY_SOURCES = {
    "official_code": lambda e, d, s, k: official_code(d),
    "actor": lambda e, d, s, k: e.actor_label or "Công dân",
    "actor_title": lambda e, d, s, k: ROLE_LABELS.get(e.actor.role, "") if e.actor is not None else "",
    "at": lambda e, d, s, k: stamp(e.at),
    "office": lambda e, d, s, k: s.get("office_name") or "",
    "what": lambda e, d, s, k: _what(e)[:SUMMARY_CHARS],
    "status_code": lambda e, d, s, k: status_code(_status_after(e, d)),
    "started_at": lambda e, d, s, k: stamp(_started_at(e, d, k)),
    "due_at": lambda e, d, s, k: stamp(d.due_date),
}


def history_row(event, dossier, settings=None, code=None):
    """One processing-history row as the protocol's `history_fields` name it."""
    settings = settings if settings is not None else get_settings()
    kinds = set(protocol()["history_kinds"])
    fields = protocol()["history_fields"]
    sources = HISTORY_SOURCES
    return {name: code if code and source == "official_code" else sources[source](event, dossier, settings, kinds)
            for name, source in fields.items()}


def with_connection_settings(settings, connection):
    """Settings plus the unit code (a source may send it)."""
    values = dict(settings)
    values["sync_unit_code"] = connection.unit_code
    return values

