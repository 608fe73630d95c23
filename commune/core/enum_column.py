"""A column that holds one member of a StrEnum: the same VARCHAR in the database, the member in Python.

`StrEnumType(Status, 20)` stores `Status.READY` as 'ready' in a VARCHAR(20), exactly as a plain
String(20) column would (no migration, and Alembic compares it as that String), and reads it back
as `Status.READY`. Whatever is written to it must be a member of its enum, or a string that is one
of its values (turned into the member): anything else, a member of another enum included, is
refused with NotAMember, both when it is assigned to a model's attribute and when it is bound
into a statement (an INSERT, an UPDATE or a comparison in a query).
"""
import enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper


class NotAMember(ValueError):
    """A value that is not one of the column's enum."""


class StrEnumType(sa.types.TypeDecorator):
    """VARCHAR(length) holding the values of `enum_cls` (a StrEnum); the member in Python."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_cls, length):
        too_long = [member.value for member in enum_cls if len(member.value) > length]
        if too_long:
            raise ValueError(f"{enum_cls.__name__} values longer than {length}: {too_long}")
        super().__init__(length)
        self.enum_cls = enum_cls
        self.length = length

    def member(self, value):
        """`value` as a member of the enum (None stays None); NotAMember if it is none of them."""
        if value is None or isinstance(value, self.enum_cls):
            return value
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            try:
                return self.enum_cls(value)
            except ValueError:
                pass
        values = ", ".join(member.value for member in self.enum_cls)
        raise NotAMember(f"{value!r} is not a {self.enum_cls.__name__} (one of: {values})")

    def process_bind_param(self, value, dialect):
        member = self.member(value)
        return None if member is None else member.value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_cls(value)

    @property
    def python_type(self):
        return self.enum_cls

    def __repr__(self):
        return f"StrEnumType({self.enum_cls.__name__}, {self.length})"


def render_item(type_, obj, autogen_context):
    """Alembic's render_item: a StrEnumType column is written into a migration as the String it
    stores (migrations never import our enums); everything else as Alembic does."""
    if type_ == "type" and isinstance(obj, StrEnumType):
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.String(length={obj.length})"
    return False


def column_enums(metadata):
    """{name: enum class} of every StrEnumType column in `metadata` (the templates' globals)."""
    found = {}
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, StrEnumType):
                enum_cls = column.type.enum_cls
                if found.setdefault(enum_cls.__name__, enum_cls) is not enum_cls:
                    raise ValueError(f"two column enums are named {enum_cls.__name__}")
    return found


@event.listens_for(Mapper, "mapper_configured")
def _members_on_assignment(mapper, class_):
    """Each StrEnumType attribute turns what is assigned to it into the member at once (or refuses
    it), so an object's state reads as the member before it is flushed and reloaded too."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            attribute = getattr(class_, prop.key)
            event.listen(attribute, "set", _to_member(column_type), retval=True)


def _to_member(column_type):
    def to_member(_target, value, _oldvalue, _initiator):
        return column_type.member(value)

    return to_member
