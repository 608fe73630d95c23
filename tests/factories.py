"""Small factories for tests: staff users, procedures, dossiers in any state."""
import itertools

import sqlalchemy as sa

from commune.accounts.models import User
from commune.catalog.models import Field, Procedure, RequiredDocument
from commune.core.timeutil import utcnow
from commune.dossiers.codes import new_lookup_key, new_tracking_code
from commune.dossiers.models import CHANNEL_ONLINE, Dossier
from commune.dossiers.rules import procedure_snapshot
from commune.dossiers.search import search_text
from commune.extensions import db

PASSWORD = "mat-khau-123"
_counter = itertools.count(1)


def make_user(role, username=None, full_name=None, password=PASSWORD):
    """A staff member with a known password (flushed)."""
    n = next(_counter)
    user = User(username=username or f"{role}{n}", role=role, full_name=full_name or f"Cán bộ {role} {n}")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_procedure(name="Đăng ký thử nghiệm", processing_days=3, documents=("Tờ khai", "Giấy tờ tùy thân"),
                   online_level="toàn trình", postal=True, form_fields=None, **extra):
    """A procedure in its own field (flushed)."""
    n = next(_counter)
    field = db.session.scalar(sa.select(Field).filter_by(code="thu-nghiem"))
    if field is None:
        field = Field(code="thu-nghiem", name="Thử nghiệm")
        db.session.add(field)
        db.session.flush()
    procedure = Procedure(
        code=f"9.{n:06d}", slug=f"thu-tuc-{n}", name=name, field_id=field.id,
        processing_days=processing_days, online_level=online_level, postal_return_allowed=postal,
        form_fields=list(form_fields or []), legal_basis=["Luật thử nghiệm"], **extra,
    )
    procedure.documents = [RequiredDocument(position=i, name=d, required=True) for i, d in enumerate(documents)]
    db.session.add(procedure)
    db.session.flush()
    return procedure


def snapshot(procedure):
    """The procedure as a dossier keeps it (the same function submissions use)."""
    return procedure_snapshot(procedure)


def make_dossier(procedure=None, status="submitted", channel=CHANNEL_ONLINE, **values):
    """A dossier set directly in `status` (for tests of later steps; real moves use transition())."""
    procedure = procedure or make_procedure()
    code = values.pop("code", None) or new_tracking_code()
    now = utcnow()
    dossier = Dossier(
        procedure=procedure, procedure_snapshot=snapshot(procedure), status=status, channel=channel,
        code=code, lookup_key=values.pop("lookup_key", new_lookup_key()),
        applicant_name=values.pop("applicant_name", "Nguyễn Văn An"),
        applicant_phone=values.pop("applicant_phone", "0912345678"),
        applicant_id_number=values.pop("applicant_id_number", "001203004567"),
        applicant_address=values.pop("applicant_address", "Thôn Đông, xã Mẫu"),
        submitted_at=values.pop("submitted_at", now), **values,
    )
    if not dossier.search_text:
        dossier.search_text = search_text(dossier)
    db.session.add(dossier)
    db.session.flush()
    return dossier

# Moved here from the feature tests that all use them.
import io

from PIL import Image

from tests.photos import images


def jpeg_bytes(color=(200, 180, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
    return buffer.getvalue()


def ready_by_post(name="Lò Thị Mai", village="Bản Na Hang", phone="0987654321", fee=20000, **values):
    """A result ready to go home by post (flushed)."""
    return make_dossier(
        status="ready", result_method="post", ready_at=values.pop("ready_at", utcnow()), fee_vnd=fee,
        delivery_name=name, delivery_phone=phone, delivery_address=values.pop("address", "Nhà số 12"),
        delivery_village=village, delivery_note=values.pop("note", "Gọi trước khi đến"),
        form_data={"ho_ten_cha": "Bí mật gia đình"}, applicant_id_number="001203004567", **values,
    )


def photo(color=(30, 120, 200), size=(640, 480)):
    """A small JPEG, as a phone would send."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def pdf_file():
    """A one-page PDF, as exported from VNeID."""
    return images.pdf(1)


def new_dossier(**values):
    """A dossier with a real tracking code and lookup key (flushed)."""
    values.setdefault("code", new_tracking_code())
    values.setdefault("lookup_key", new_lookup_key())
    return make_dossier(**values)
