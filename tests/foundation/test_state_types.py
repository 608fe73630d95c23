"""States are types: every state, channel, method and kind column holds a member of its StrEnum
(core/enum_column.py), the code and the templates compare with the members, never with a string,
and every column is written in one style (typed Mapped[] + mapped_column()).

The scans name each site they find; their value lists come from the enums of the columns
themselves, so a new enum column is covered as soon as it exists.
"""
import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from jinja2 import nodes
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from commune.core.enum_column import NotAMember, StrEnumType, column_enums, render_item
from commune.dossiers.models import Dossier, DossierEvent
from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.models import import_all
from commune.notices.outbox import Notice, NoticeChannel
from commune.postal.states import ItemState
from tests.factories import make_dossier

ROOT = Path(__file__).resolve().parents[2]
COMMUNE = ROOT / "commune"
TEMPLATES = ROOT / "templates"

# What a state is held in: a column's own name (status, to_status, result_method…) and the
# local names the code gives a state on its way (`to`, `current`, a form's `kind`).
STATE_NAME = re.compile(r"^(to|from_?|current|previous)$|status|state|kind|channel|method")


def _enum_columns():
    import_all()
    return [column for table in db.metadata.tables.values() for column in table.columns
            if isinstance(column.type, StrEnumType)]


def _state_values():
    """Every value of every enum a column holds ('needs_supplement', 'pending', 'sms'…)."""
    return {member.value for enum_cls in column_enums(db.metadata).values() for member in enum_cls}


def _named(node):
    """The state-like name a compared expression goes by (`d.status`, `row["kind"]`,
    `form.method.data`), or None."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant):
                parts.append(str(node.slice.value))
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            if isinstance(node, ast.Name):
                parts.append(node.id)
            return next((part for part in parts if STATE_NAME.search(part)), None)


def _literals(node):
    """The string constants of `node`: itself, or the items of a tuple, list or set."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return []


def _raw_states_in_python(source, values):
    """[(line, what)] where a state is compared with, or passed as, a plain string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for left, right in zip(operands, operands[1:], strict=False):
                for subject, other in ((left, right), (right, left)):
                    name, raw = _named(subject), set(_literals(other)) & values
                    if name and raw:
                        found.append((node.lineno, f"{name} compared with {sorted(raw)}"))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                raw = set(_literals(keyword.value)) & values
                if keyword.arg and raw and STATE_NAME.search(keyword.arg):
                    found.append((node.lineno, f"{keyword.arg}={sorted(raw)[0]!r}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # SQL written by hand: WHERE status = 'sent', state IN ('held', 'out')
            for match in re.finditer(r"\b(\w*(?:status|state|kind|channel|method)\w*)\s*(?:=|<>|!=|IN\s*\()\s*'(\w+)'",
                                     node.value, re.IGNORECASE):
                if match.group(2) in values:
                    found.append((node.lineno, f"SQL {match.group(0)!r}"))
    return found


def _jinja_named(node):
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    return None


def _jinja_literals(node):
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.Tuple | nodes.List):
        return [item.value for item in node.items if isinstance(item, nodes.Const) and isinstance(item.value, str)]
    return []


def _raw_states_in_template(tree, values):
    found = []
    for node in tree.find_all(nodes.Compare):
        operands = [node.expr, *(operand.expr for operand in node.ops)]
        for left, right in zip(operands, operands[1:], strict=False):
            for subject, other in ((left, right), (right, left)):
                name, raw = _jinja_named(subject), set(_jinja_literals(other)) & values
                if name and raw and STATE_NAME.search(name):
                    found.append((node.lineno, f"{name} compared with {sorted(raw)}"))
    for node in tree.find_all(nodes.Keyword):
        raw = set(_jinja_literals(node.value)) & values
        if raw and STATE_NAME.search(node.key):
            found.append((node.lineno, f"{node.key}={sorted(raw)[0]!r}"))
    return found


def test_the_scans_know_every_state_and_catch_a_raw_one(app):
    """The value lists come from the enums; a planted raw comparison is found in both languages."""
    values = _state_values()
    assert {"needs_supplement", "pending", "sent", "held", "sms", "post", "document_view"} <= values
    python = 'if d.status == "needs_supplement" or n.status in ("pending", "sent"):\n    q.filter_by(state="held")\n'
    assert [line for line, _ in _raw_states_in_python(python, values)] == [1, 1, 2]
    assert _raw_states_in_python('if tab == "ready" and request.method == "POST":\n    pass\n', values) == []
    template = ("{% if dossier.status == 'needs_supplement' %}{% endif %}"
                "{% if item.state in ('held', 'out') %}{% endif %}")
    assert len(_raw_states_in_template(app.jinja_env.parse(template), values)) == 2
    assert _raw_states_in_template(app.jinja_env.parse("{% if key == 'ready' %}{% endif %}"), values) == []


def test_no_code_compares_a_state_with_a_string(app):
    values = _state_values()
    sites = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in sorted(COMMUNE.rglob("*.py"))
             for line, what in _raw_states_in_python(path.read_text(encoding="utf-8"), values)]
    assert sites == [], "compare with the enum's member (Status.READY), not its string:\n" + "\n".join(sites)


def test_no_template_compares_a_state_with_a_string(app):
    values = _state_values()
    sites = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
        sites += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in _raw_states_in_template(tree, values)]
    assert sites == [], ("compare with the enum, a template global (item.state == ItemState.HELD), "
                         "not a string:\n" + "\n".join(sites))


def test_templates_have_every_column_enum(app):
    for name, enum_cls in column_enums(db.metadata).items():
        assert app.jinja_env.globals[name] is enum_cls


def test_state_columns_store_the_same_varchar(app):
    """No migration: each enum column is the String(length) it was, to the database and to Alembic."""
    columns = _enum_columns()
    names = {f"{column.table.name}.{column.name}" for column in columns}
    assert {"dossiers.status", "dossiers.status_before_supplement", "dossiers.channel", "dossiers.result_method",
            "dossier_events.kind", "dossier_events.to_status", "postal_items.state", "postal_manifests.status",
            "postal_actions.kind", "notices.status", "notices.channel", "sync_records.status", "sync_records.kind",
            "payments.channel", "calendar_days.kind", "ready_texts.kind"} <= names
    for column in columns:
        plain = sa.String(column.type.length)
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            assert column.type.compile(dialect=dialect) == plain.compile(dialect=dialect)
        assert render_item("type", column.type, _AutogenContext()) == f"sa.String(length={column.type.length})"


class _AutogenContext:
    imports = set()


def test_an_unknown_state_is_refused_when_assigned(app):
    for column in _enum_columns():
        model = next(m.class_ for m in db.Model.registry.mappers if column.table in m.tables)
        key = next(p.key for p in model.__mapper__.column_attrs if p.columns[0] is column)
        row = model()
        with pytest.raises(NotAMember, match=column.type.enum_cls.__name__):
            setattr(row, key, "no_such_state")
    dossier = Dossier()
    with pytest.raises(NotAMember):
        dossier.status = ItemState.RETURNED  # the same string, another enum's member
    dossier.status = "ready"  # a value of the enum is taken as its member
    assert dossier.status is Status.READY


def test_an_unknown_state_is_refused_in_a_statement(app):
    dossier = make_dossier(status="received")
    db.session.commit()
    with pytest.raises(StatementError, match="not a Status"):
        db.session.execute(sa.update(Dossier).where(Dossier.id == dossier.id).values(status="finished"))
    db.session.rollback()
    with pytest.raises(StatementError, match="not a NoticeChannel"):
        db.session.scalars(sa.select(Notice).where(Notice.channel == "fax")).all()
    db.session.rollback()


def test_a_loaded_row_holds_the_members(app):
    dossier = make_dossier(status="received")
    transition(dossier, Status.PROCESSING)
    db.session.commit()
    db.session.expire_all()

    loaded = db.session.get(Dossier, dossier.id)
    assert loaded.status is Status.PROCESSING
    assert type(loaded.channel).__name__ == "Channel" and type(loaded.result_method).__name__ == "ResultMethod"
    event = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).one()
    assert (event.from_status, event.to_status) == (Status.RECEIVED, Status.PROCESSING)
    assert event.to_status is Status.PROCESSING
    assert db.session.scalar(sa.select(Dossier.status).where(Dossier.id == dossier.id)) is Status.PROCESSING
    # Stored as the plain value, as before.
    assert db.session.scalar(sa.text("SELECT status FROM dossiers WHERE id = :id"), {"id": dossier.id}) == "processing"
    assert NoticeChannel("sms") is NoticeChannel.SMS


def test_every_column_is_typed_mapped_column():
    """One column style: `name: Mapped[T] = mapped_column(...)`, never the old db.Column(...)."""
    sites = [f"{path.relative_to(ROOT)}:{number}" for path in sorted(COMMUNE.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\b(db|sa|sqlalchemy)\.Column\(|^\s*\w+ = (db\.)?relationship\(", line)]
    assert sites == [], "write `name: Mapped[T] = mapped_column(...)` instead:\n" + "\n".join(sites)
