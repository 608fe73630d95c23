"""Helpers that drive the site through a test client, as a villager, clerk or carrier would;
and the typed data they send. Shared by every feature's tests (model factories: factories.py)."""
import io
import re
from datetime import datetime, timedelta

from commune.core.timeutil import utcnow
from commune.dossiers.attachments import attach_file
from commune.dossiers.codes import hash_lookup_key, link_token
from commune.dossiers.models import SupplementRequest
from commune.dossiers.workflow import transition
from commune.extensions import db
from tests.factories import make_procedure, make_user, new_dossier, photo
from tests.photos import images

SUPPLEMENT_ITEMS = [{"document_index": 1, "label": "Giấy chứng sinh (ảnh mờ)"},
                    {"document_index": None, "label": "Giấy xác nhận cư trú"}]


def waiting_for_supplement(client, received=True):
    """A dossier whose clerk asked for the birth certificate again, opened in the villager's browser."""
    procedure = make_procedure(documents=("Tờ khai", "Giấy chứng sinh"), processing_days=5)
    dossier = new_dossier(procedure=procedure, submitted_at=utcnow() - timedelta(days=10))
    attach_file(dossier, photo((200, 0, 0)), "to-khai.jpg", document_index=0)
    attach_file(dossier, photo((0, 200, 0)), "chung-sinh-mo.jpg", document_index=1)
    clerk = make_user("clerk")
    if received:
        transition(dossier, "received", clerk)
        dossier.received_at = utcnow() - timedelta(days=9)
        dossier.due_date = (datetime.now() - timedelta(days=2)).date()
    transition(dossier, "needs_supplement", clerk, note="Ảnh giấy chứng sinh bị mờ.")
    request_row = SupplementRequest(dossier=dossier, round=1, items=SUPPLEMENT_ITEMS,
                                    message="Ảnh giấy chứng sinh bị mờ.", requested_by_id=clerk.id)
    db.session.add(request_row)
    dossier.supplement_count = 1
    db.session.commit()
    open_in_browser(client, dossier)
    return dossier, request_row


def upload_supplement(client, dossier, item, data, name="anh.jpg", script=False):
    headers = {"X-Requested-With": "XMLHttpRequest"} if script else {}
    return client.post(f"/ho-so/{dossier.code}/bo-sung/{item}/tai-len", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def notice_config(smtp_server, sms_gateway, **extra):
    config = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_FROM": "mot-cua@xa-mau.gov.vn",
        "SMS_URL": sms_gateway.url, "SMS_AUTH": "Bearer test-token",
        "COMMUNE_PUBLIC_URL": "https://motcua.xa-mau.gov.vn",
    }
    config.update(extra)
    return config


def procedure_data(procedure, **changes):
    """The edit form as the admin would post it, with `changes` applied."""
    data = {
        "name": procedure.name, "name_en": procedure.name_en, "code": procedure.code or "",
        "slug": procedure.slug, "field_id": str(procedure.field_id),
        "processing_days": "" if procedure.processing_days is None else str(procedure.processing_days),
        "processing_note": procedure.processing_note,
        "fee_vnd": "" if procedure.fee_vnd is None else str(procedure.fee_vnd),
        "fee_note": procedure.fee_note, "fee_unit": getattr(procedure, "fee_unit", ""),
        "online_level": procedure.online_level or "",
        "eligible_submitters": procedure.eligible_submitters, "result": procedure.result,
        "legal_basis": "\n".join(procedure.legal_basis), "keywords": "; ".join(procedure.keywords),
        "action": "save",
    }
    if procedure.active:
        data["active"] = "y"
    if procedure.postal_return_allowed:
        data["postal_return_allowed"] = "y"
    for i, doc in enumerate(procedure.documents):
        data[f"documents-{i}-name"] = doc.name
        data[f"documents-{i}-original_or_copy"] = doc.original_or_copy
        data[f"documents-{i}-count"] = str(doc.count)
        data[f"documents-{i}-hint"] = doc.hint
        if doc.required:
            data[f"documents-{i}-required"] = "y"
        if doc.online_form:
            data[f"documents-{i}-online_form"] = "y"
    for i, item in enumerate(procedure.form_fields or []):
        data[f"form_fields-{i}-name"] = item["name"]
        data[f"form_fields-{i}-label"] = item["label"]
        data[f"form_fields-{i}-type"] = item["type"]
        data[f"form_fields-{i}-choices"] = "; ".join(item.get("choices") or [])
        data[f"form_fields-{i}-help"] = item.get("help", "")
        if item.get("required"):
            data[f"form_fields-{i}-required"] = "y"
    data.update(changes)
    return data


def form_values(html, key):
    """The hidden version/seen values of one action's form on the dossier page."""
    version = re.search(rf'name="{key}-version"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{key}-version"', html)
    seen = re.search(rf'name="{key}-seen"[^>]*value="(\d*)"', html) or re.search(
        rf'value="(\d*)"[^>]*name="{key}-seen"', html)
    return {f"{key}-version": version.group(1), f"{key}-seen": seen.group(1) if seen else "0"}


def act(client, dossier, key, data=None, version=None, **kwargs):
    """POST one action with the dossier's current version (or the one given)."""
    values = {f"{key}-version": str(dossier.version if version is None else version), f"{key}-seen": "0"}
    values.update({f"{key}-{k}": v for k, v in (data or {}).items()})
    return client.post(f"/hop-thu/ho-so/{dossier.id}/thao-tac/{key}", data=values, **kwargs)


SETTINGS = {
    "commune_name": "UBND xã Mẫu", "office_name": "Bộ phận Một cửa", "office_address": "Thôn Trung tâm",
    "office_phone": "0200 3 800 000", "office_hours": "Thứ Hai – Thứ Sáu",
}


def form_token(page):
    return re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)


def fail_delivery(client, item, reason="nobody_home"):
    url = f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc"
    return client.post(url, data={"token": form_token(client.get(url).get_data(as_text=True)), "reason": reason})


def counter_applicant(**extra):
    data = {
        "c-channel": "counter", "a-full_name": "Hoàng Văn Đến Quầy", "a-phone": "0912 345 678",
        "a-id_number": "001203004567", "a-village": "Thôn Đông", "a-address": "Xã Mẫu, tỉnh Mẫu",
        "a-email": "", "r-result_method": "office",
    }
    data.update(extra)
    return data


def qr_link(dossier):
    """The receipt's QR link (/ho-so/<code>?k=<token>): made from the stored hash, so any dossier has one."""
    return f"/ho-so/{dossier.code}?k={link_token(dossier.lookup_key_hash)}"


KEY_SHOWN = re.compile(r'class="code(?: big-code)?">([34679A-Y]{6})</(?:p|strong)>')


def shown_key(html, dossier):
    """The lookup key a receipt or the desk's slip shows (the database keeps only its hash), checked."""
    keys = [k for k in KEY_SHOWN.findall(html) if hash_lookup_key(dossier.code, k) == dossier.lookup_key_hash]
    assert keys, "no lookup key of this dossier on the page"
    return keys[0]


def open_in_browser(client, dossier):
    """The villager's browser opens the dossier in full with the key on the receipt (code + key)."""
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.lookup_key})
    assert response.status_code == 302
    return response


def open_status_only(client, dossier):
    """Someone who knows the code and the phone number (the villager, or a carrier) looks it up."""
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.applicant_phone})
    assert response.status_code == 302
    return response


def holds_in_full(client, dossier):
    """This browser holds the dossier in full, as the one that submitted it (or scanned its QR code)."""
    db.session.commit()
    open_in_browser(client, dossier)


QUESTIONS = [
    {"name": "child_name", "label": "Họ tên của trẻ", "type": "text", "required": True},
    {"name": "birth_date", "label": "Ngày sinh", "type": "date", "required": True, "past": True},
    {"name": "sex", "label": "Giới tính", "type": "choice", "required": True, "choices": ["Nam", "Nữ"]},
    {"name": "twins", "label": "Sinh đôi?", "type": "yesno", "required": False},
    {"name": "copies", "label": "Số bản sao", "type": "number", "required": False},
    {"name": "note", "label": "Ghi chú", "type": "textarea", "required": False, "help": "Nếu cần"},
]


DETAILS = {
    "full_name": "Lò Thị Hoa", "phone": "+84 912 345 678", "id_number": "0011 9500 4567",
    "village": "Bản Nà Cang", "address": "Xã Mẫu, tỉnh Lào Cai", "email": "",
}


ANSWERS = {"child_name": "Lò Văn Minh", "birth_date": "2026-03-01", "sex": "Nam", "twins": "no", "copies": "2"}


POSTAL = {
    "result_method": "post", "delivery_name": "Lò Thị Hoa", "delivery_phone": "0912345678",
    "delivery_village": "Bản Nà Cang", "delivery_address": "Xã Mẫu", "delivery_note": "Gần trường",
}


def upload(client, part, data, name="trang.jpg", script=True):
    """Post one file to the draft's upload endpoint, as upload.js (script=True) or the plain form."""
    headers = {"X-Requested-With": "XMLHttpRequest"} if script else {}
    return client.post(f"/nop-ho-so/anh-giay-to/{part}/tai-len", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def submit_key(client):
    """Open the check page and read its idempotency key."""
    page = client.get("/nop-ho-so/kiem-tra")
    assert page.status_code == 200
    return re.search(r'name="submit_key" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def fill_draft(client, procedure, questions=True, postal=True):
    """Walk the journey up to the check page; returns the page."""
    response = client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    assert response.status_code == 302, response.get_data(as_text=True)
    if questions:
        assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).status_code == 302
    for index, doc in enumerate(procedure.documents):
        if doc.required:
            assert upload(client, index, images.jpeg()).status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").status_code == 302
    if postal:
        assert client.post("/nop-ho-so/nhan-ket-qua", data=POSTAL).status_code == 302
    return client.get("/nop-ho-so/kiem-tra")
