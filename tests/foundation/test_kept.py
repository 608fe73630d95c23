"""What a server keeps across requests holds plain values: the check, and a scan that every store uses it.

A detached ORM object kept past its request fails only on a running server, at the next visitor
who reads it (the search 500 of 2026-12). core/kept.py refuses such a value when it is kept; the
scan below makes every new cache go through it.
"""
import ast
import dataclasses
from pathlib import Path

import pytest

from commune.core.kept import KeptDict, NotPlain, app_store, memo, plain
from commune.extensions import db

COMMUNE = Path(__file__).resolve().parents[2] / "commune"

# Module-level or app-wide state that is not a cache of rows, with the reason it may stay as it is.
REVIEWED_STORES = {
    ("core/kept.py", "extensions"): "the module itself",
    ("files/storage.py", "extensions"): "the storage object (a folder and settings), no rows",
    ("notices/worker.py", "extensions"): "the background sender thread",
    ("sync/worker.py", "extensions"): "the background sender thread",
    ("web/page_cache.py", "extensions"): "PageCache.put() checks what it keeps with plain()",
    ("web/generation.py", "extensions"): "the token's _State (a lock, strings, a datetime)",
    ("cli/migrations.py", "extensions"): "Flask-Migrate's own object, for `flask db` only",
}
REVIEWED_GLOBALS = {
    ("catalog/caching.py", "_DIGESTS"): "strings to strings",
    ("dossiers/workflow.py", "_listeners"): "functions registered at import",
    ("dossiers/retention.py", "_erasers"): "functions registered at import",
    ("extensions.py", "unmodelled_tables"): "names registered at import",
    ("extensions.py", "expression_indexes"): "names registered at import",
    ("extensions.py", "unmodelled_columns"): "names registered at import",
    ("web/generation.py", "_watched"): "module prefixes registered at import",
    ("files/storage.py", "_key_holders"): "functions registered at import",
    ("files/decode_slots.py", "_semaphores"): "one semaphore per size setting",
    ("sync/adapters.py", "_sessions"): "the portal's session token strings",
    ("inbox/filtering.py", "FIGURES"): "SQL conditions built at import, bound to no session",
    ("accounts/services.py", "_dummy_hashes"): "password hash strings",
    ("catalog/models.py", "_commits"): "one counter",
    ("files/partial_uploads.py", "_sweeps"): "folder path -> time of the last sweep",
    ("web/request_cost.py", "_exemptions"): "functions registered at import",
}


def _modules():
    for path in sorted(COMMUNE.rglob("*.py")):
        yield path.relative_to(COMMUNE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_no_cache_is_written_around_the_plain_value_check():
    """lru_cache / functools.cache only through kept.memo; app-wide stores only through kept.app_store."""
    found = []
    for name, tree in _modules():
        if name == "core/kept.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "functools":
                found += [f"{name}: functools.{a.name}" for a in node.names if a.name in ("lru_cache", "cache")]
            if isinstance(node, ast.Attribute) and node.attr in ("lru_cache", "cache") \
                    and isinstance(node.value, ast.Name) and node.value.id == "functools":
                found.append(f"{name}: functools.{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "extensions" \
                    and (name, "extensions") not in REVIEWED_STORES:
                found.append(f"{name}:{node.lineno}: app.extensions used directly (use core.kept.app_store)")
    assert not found, "a cache kept across requests must check its values (core/kept.py):\n" + "\n".join(found)


def _starts_empty_or_private(target, value):
    """A cache or a registry starts empty; a lower-case name is state, not a constant table."""
    empty = (isinstance(value, (ast.Dict, ast.List, ast.Set)) and not getattr(value, "keys", None)
             and not getattr(value, "elts", None)) or (isinstance(value, ast.Call) and not value.args)
    return empty or not target.isupper()


def test_every_module_level_mutable_is_reviewed():
    """A dict, list or set at module level outlives every request: each one is named here with its reason."""
    found = []
    for name, tree in _modules():
        for node in tree.body:
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            value = node.value
            mutable = isinstance(value, (ast.Dict, ast.List, ast.Set)) or (
                isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id in ("dict", "list", "set", "OrderedDict", "defaultdict"))
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if mutable and isinstance(target, ast.Name) and target.id != "__all__" \
                        and _starts_empty_or_private(target.id, value) and (name, target.id) not in REVIEWED_GLOBALS:
                    found.append(f"{name}:{node.lineno}: {target.id}")
    assert not found, ("module-level mutable state outlives every request; keep plain values through "
                       "core/kept.py and add it to REVIEWED_GLOBALS with the reason:\n" + "\n".join(found))


@dataclasses.dataclass
class _Row:
    name: str
    items: list


def test_plain_values_pass(app):
    value = {"a": [1, 2.5, "x", None, (b"y", frozenset({3}))], ("k", 1): _Row("n", [{"deep": True}])}
    assert plain(value) is value


def test_a_mapped_instance_is_refused_at_any_depth(app, catalog):
    from commune.catalog.models import Field, Procedure

    field = db.session.scalars(db.select(Field)).first()
    row = db.session.execute(db.select(Procedure.id, Procedure.name)).first()
    for bad in (field, [field], {"fields": [(field, 3)]}, _Row("n", [{"x": field}]), {field: 1},
                row, [row], db.session):
        with pytest.raises(NotPlain):
            plain(bad)
    assert plain([tuple(row)])  # a row's values are plain


def test_kept_stores_refuse_orm_objects(app, catalog):
    from commune.catalog.models import Field

    field = db.session.scalars(db.select(Field)).first()
    store = app_store("test_store")
    assert isinstance(store, KeptDict) and app_store("test_store") is store
    store["ok"] = [(field.code, field.name)]
    with pytest.raises(NotPlain):
        store["fields"] = [(field, 1)]
    with pytest.raises(NotPlain):
        store.update(fields=[field])
    with pytest.raises(NotPlain):
        store.setdefault("other", {"f": field})
    assert "fields" not in store and "other" not in store

    @memo(maxsize=4)
    def first_field():
        return db.session.scalars(db.select(Field)).first()

    with pytest.raises(NotPlain):
        first_field()


def test_the_search_keeps_plain_values(client, catalog):
    """After a search, everything the catalog search kept passes the check (fields as plain pairs)."""
    assert client.get("/tim-kiem?q=ho+tich").status_code == 200
    kept = app_store("catalog_search")
    assert kept["fields"] and all(isinstance(f[0].name, str) for f in kept["fields"])
    plain(dict(kept))
