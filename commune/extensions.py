"""Flask extensions, created unbound; create_app() binds them."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))


# Tables the database keeps beside the models (SQLite's full-text tables and their shadow tables,
# dossiers/search.py): made by DDL, never compared with a model.
unmodelled_tables = set()
# Indexes on an expression (a GIN index on to_tsvector(...)): declared on the models, but Alembic
# cannot compare an expression it reflects with one it is given, so the comparison leaves them out.
expression_indexes = set()
# (table, column) a database keeps beside a model's columns (PostgreSQL's stored search vector).
unmodelled_columns = set()


def schema_objects_for(dialect_name):
    """Alembic's include_object for a database: leave out the indexes that only another kind of
    database has (declared with info={"only_on": "postgresql"} and ddl_if), and the unmodelled tables."""

    def include(obj, name, type_, reflected, _compare_to):
        if type_ == "table" and reflected and any(name == t or name.startswith(t + "_") for t in unmodelled_tables):
            return False
        if type_ == "column" and reflected and (obj.table.name, name) in unmodelled_columns:
            return False
        if type_ == "index" and name in expression_indexes:
            return False
        return type_ != "index" or reflected or obj.info.get("only_on") in (None, dialect_name)

    return include


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
