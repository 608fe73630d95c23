"""Time is explicit: store naive UTC in the database, show Asia/Ho_Chi_Minh."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow():
    """Now, as a naive UTC datetime (the form every *_at column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value):
    """A stored naive-UTC datetime as an aware Asia/Ho_Chi_Minh datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_today(now=None):
    """Today's date in Viet Nam."""
    return to_local(now or utcnow()).date()


def format_datetime(value):
    """dd/mm/yyyy HH:MM in local time, or an empty string."""
    local = to_local(value)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


def format_date(value):
    """dd/mm/yyyy for a date or a stored datetime."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def format_day(value: date):
    """'Thứ Sáu, 20/11/2026' — how the desk writes an appointment day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{WEEKDAYS_VI[value.weekday()]}, {value.strftime('%d/%m/%Y')}"
