"""CSV and Excel (openpyxl) exports: the figures, and the dossier register (Form 07, Circular 03/2025).

Every cell goes through commune/core/export_safety.py: a villager's text never becomes a formula.
"""
import csv
import io

from ..core.export_safety import csv_row, xlsx_cell, xlsx_row
from ..core.i18n import format_vnd
from ..core.timeutil import format_date
from ..dossiers.codes import display
from ..dossiers.models import CHANNEL_LABELS, RESULT_BY_POST
from ..dossiers.states import LABELS, Status
from ..payments.models import CHANNEL_LABELS as PAYMENT_CHANNELS

FIGURE_HEADERS = (
    "Cấp", "Tên", "Tiếp nhận", "Trực tuyến", "Tại quầy", "Bưu chính", "Tỷ lệ trực tuyến (%)",
    "Đã giải quyết", "Sớm hạn", "Đúng hạn", "Trễ hạn", "Đúng hạn (%)", "Đang xử lý trong hạn",
    "Đang xử lý quá hạn", "Từ chối", "Rút hồ sơ", "Thời gian xử lý TB (ngày làm việc)",
)
REGISTER_HEADERS = (
    "STT", "Mã hồ sơ", "Người nộp", "Địa chỉ", "Thủ tục", "Kênh", "Ngày tiếp nhận", "Hẹn trả",
    "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái", "Mã số hồ sơ (TT 01/2018)", "Cơ quan giải quyết",
    "Ký nhận", "Ghi chú",
)
LEVELS = (("overall", "Tổng cộng"), ("by_field", "Lĩnh vực"), ("by_procedure", "Thủ tục"),
          ("by_staff", "Cán bộ"))


def _blank(value):
    return "" if value is None else value


def figure_rows(figures):
    """The figures as rows (one per level and name), the same for CSV and Excel."""
    rows = []
    for attr, level in LEVELS:
        items = getattr(figures, attr)
        for c in ([items] if attr == "overall" else items):
            rows.append([
                level, c.name or "—", c.received, c.online, c.counter, c.post, _blank(c.online_share),
                c.resolved, c.early, c.on_time, c.late, _blank(c.on_time_pct), c.within_time, c.overdue,
                c.refused, c.withdrawn, _blank(c.avg_days),
            ])
    return rows


def register_row(number, row):
    """One line of the register for one dossier (a row of queries.register_rows)."""
    snapshot = row.procedure_snapshot or {}
    returned = row.finished_at if row.status == Status.RETURNED else None
    return [
        number, display(row.code) if row.code else "", row.applicant_name, row.applicant_address,
        snapshot.get("name") or row.procedure_name, CHANNEL_LABELS.get(row.channel, row.channel),
        format_date(row.received_at or row.submitted_at), format_date(row.due_date), format_date(row.ready_at),
        format_date(returned), LABELS[Status(row.status)], getattr(row, "official_code", None) or "",
        row.competent_unit or row.receiving_unit or "",
        "",  # signed by the villager on the printed register
        register_note(row),
    ]


def register_note(row):
    """The register's notes column: what the clerk would write by hand (supplements, late, by post)."""
    notes = []
    if row.supplement_count:
        notes.append(f"Bổ sung {row.supplement_count} lần")
    if row.missed_due_date:
        notes.append(f"Trễ hạn (hẹn {format_date(row.missed_due_date)})")
    if row.result_method == RESULT_BY_POST:
        notes.append("Trả qua bưu chính")
    fee = getattr(row, "fee_vnd", None)
    if fee:
        paid = PAYMENT_CHANNELS.get(getattr(row, "paid_channel", None))
        notes.append(f"Lệ phí {format_vnd(fee)}" + (f", đã nộp ({paid.lower()})" if paid else ""))
    return "; ".join(notes)


def register_rows(rows):
    return [register_row(i, row) for i, row in enumerate(rows, start=1)]


def to_csv(headers, rows):
    """UTF-8 CSV with a BOM so Excel opens the Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(headers))
    writer.writerows(csv_row(row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title, headers, rows, heading=None):
    """One-sheet workbook (streamed, write-only): an optional heading line, bold headers, then the rows."""
    from openpyxl import Workbook  # on the first export: the idle server does not carry openpyxl
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(10, min(40, len(header) + 2))
    first_data_row = 2
    if heading:
        sheet.append([_bold(sheet, heading, size=13)])
        first_data_row = 3
    sheet.freeze_panes = f"A{first_data_row}"
    sheet.append([_bold(sheet, header) for header in headers])
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet, value, size=None):
    from openpyxl.styles import Font

    return xlsx_cell(sheet, value, font=Font(bold=True, size=size) if size else Font(bold=True))
