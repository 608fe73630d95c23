"""Copy the front-end packages installed by `npm ci` into static/vendor/ (not committed)."""
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "node_modules/htmx.org/dist/htmx.min.js": "static/vendor/htmx.min.js",
    "node_modules/axe-core/axe.min.js": "static/vendor/axe.min.js",
    "node_modules/signature_pad/dist/signature_pad.umd.min.js": "static/vendor/signature_pad.min.js",
    "node_modules/idb-keyval/dist/umd.js": "static/vendor/idb-keyval.js",
}


def main():
    missing = [src for src in FILES if not (ROOT / src).exists()]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run `npm ci` first")
    for src, dest in FILES.items():
        target = ROOT / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / src, target)
    print(f"vendor: copied {len(FILES)} files into static/vendor/")


if __name__ == "__main__":
    main()
