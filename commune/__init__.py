"""Một Cửa Xã: the commune one-stop site."""
import importlib
import os

from .config import build_config, load_secret_key

# Feature packages, each owning a blueprint named after it.
FEATURES = (
    "catalog",
    "accounts",
    "submissions",
    "tracking",
    "inbox",
    "postal",
    "reports",
    "admin",
    "payments",
    "sync",
)


def create_app(config=None):
    """Build the app: configuration, extensions, the outbox, blueprints, CLI. No side effects at import."""
    from .web.request_cost import LeanFlask  # Flask, keeping what each request would ask again

    app = LeanFlask(
        __name__,
        instance_path=os.environ.get("COMMUNE_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(build_config(app.instance_path))
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    os.makedirs(app.config["COMMUNE_DATA_DIR"], exist_ok=True)

    from .cli import commands
    from .models import import_all
    from .notices import worker
    from .sync import worker as sync_worker
    from .uploads import init_app as init_uploads
    from .web import setup, unit_of_work

    import_all()

    setup.init_extensions(app)
    setup.init_web(app)
    worker.init_app(app)  # the outbox: notices queued with each event, sent after the commit
    sync_worker.init_app(app)  # the sync queue: each dossier and its history to the province, after the commit
    init_uploads(app)  # expired partial uploads swept from any request
    for name in FEATURES:
        app.register_blueprint(importlib.import_module(f"commune.{name}").bp)
    unit_of_work.init_app(app)  # every view: one commit at its end, rollback on refusal or error
    commands.register(app)
    return app
