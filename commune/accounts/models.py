"""Staff accounts and roles."""
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.roles import ROLE_LABELS
from ..core.timeutil import utcnow
from ..extensions import db


def password_method():
    """The method new password hashes are made with (COMMUNE_PASSWORD_HASH: scrypt by default)."""
    return current_app.config.get("COMMUNE_PASSWORD_HASH") or "scrypt"


class User(UserMixin, db.Model):
    """A staff member who logs in. Villagers never need an account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    username: Mapped[str] = mapped_column(db.String(80), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(db.String(300), nullable=False)
    role: Mapped[str] = mapped_column(db.String(20), nullable=False)
    active: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=True)
    # Changing this token ends every session of the account (logout, deactivation, new password).
    session_token: Mapped[str] = mapped_column(db.String(64), nullable=False, default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    # Postal accounts: the post office they work for; they see only that office's manifests.
    post_office: Mapped[str] = mapped_column(db.String(120), nullable=False, default="", server_default="")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=password_method())
        self.rotate_session()

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def rotate_session(self):
        """Invalidate every session cookie issued so far for this account."""
        self.session_token = secrets.token_hex(16)

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self):
        return self.active

    def has_role(self, *roles):
        return self.role in roles

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)


class LoginThrottle(db.Model):
    """Failed logins of one user name from one client address, and the back-off they earned.

    Kept per (name, address) so an attacker elsewhere never blocks the clerk's own desk; the
    name is stored as a keyed digest (a password typed into the name field is never kept), and
    unknown names get rows exactly like real ones (a row says nothing about an account).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (db.UniqueConstraint("username_digest", "client", name="uq_login_throttles_name_client"),)

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    username_digest: Mapped[str] = mapped_column(db.String(64), nullable=False)
    client: Mapped[str] = mapped_column(db.String(64), nullable=False)
    failures: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(db.DateTime)
    last_failure_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, index=True)
