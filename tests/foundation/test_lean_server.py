"""The web server stays lean: what only the command line needs is loaded only there (issue #18)."""
import os
import subprocess
import sys

import pytest

from tests.security.live_site import REPO

pytestmark = pytest.mark.drill  # starts the site as a process of its own


def _run(tmp_path, *args):
    env = dict(os.environ, COMMUNE_INSTANCE_PATH=str(tmp_path / "instance"), COMMUNE_DATA_DIR=str(tmp_path),
               COMMUNE_DATABASE_URL=f"sqlite:///{tmp_path}/x.db", COMMUNE_SECRET_KEY="s" * 40)
    env.pop("COMMUNE_TEST_DATABASE_URL", None)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_the_site_is_built_without_alembic_and_flask_db_still_migrates(tmp_path):
    loaded = _run(tmp_path, "-c", "import sys\nfrom commune import create_app\ncreate_app()\n"
                  "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'flask_migrate', "
                  "'openpyxl', 'pypdf', 'pillow_heif', 'segno', 'holidays'}))")
    assert loaded.stdout.strip() == "[]", loaded.stderr[-2000:]  # alembic ~10 MB, the others 10-15 MB each
    upgraded = _run(tmp_path, "-m", "flask", "--app", "app", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    current = _run(tmp_path, "-m", "flask", "--app", "app", "db", "current")
    assert "(head)" in current.stdout and "setup plugin" not in current.stdout + current.stderr
