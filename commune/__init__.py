"""Một Cửa Xã: the commune one-stop site."""
import os

from flask import Flask

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
)


def create_app(config=None):
    """Build the app: configuration, extensions, blueprints, CLI. No side effects at import."""
    app = Flask(
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

    from .core import setup
    from .models import import_all

    import_all()

    setup.init_extensions(app)
    setup.init_web(app)
    for name in FEATURES:
        module = __import__(f"commune.{name}", fromlist=["bp"])
        app.register_blueprint(module.bp)
    setup.init_cli(app)
    return app
