"""Build ``build/functions``: the code asset of the Step Functions task functions.

Lambda runs Amazon Linux on x86_64, so the wheels of ``functions/requirements.txt`` are
downloaded for that platform (``--platform manylinux2014_x86_64 --only-binary=:all:``)
rather than built here; no Docker is needed. The sources the handlers import --
``functions/``, ``chalicelib/`` and ``assets/`` (fonts for the certificate PDF) -- are
copied next to them. ``infra/stack.py`` uses the directory when it exists.

    .venv/bin/python -m infra.package          # then: .venv/bin/python -m infra.app
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from infra.resources import ROOT

# Where the task functions are built with their Linux wheels (infra/stack.py reads it).
FUNCTIONS_BUILD_DIR = ROOT / "build" / "functions"
# The sources the task functions import, copied next to the wheels.
FUNCTION_SOURCE_DIRS = ("functions", "chalicelib", "assets")
REQUIREMENTS = ROOT / "functions" / "requirements.txt"
PLATFORM = "manylinux2014_x86_64"  # matches lambda_.Architecture.X86_64 in the stack
PYTHON_VERSION = "3.11"  # matches lambda_.Runtime.PYTHON_3_11 in the stack
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
# Written next to (not inside) the bundle: what the bundle was built from.
FINGERPRINT_FILE = FUNCTIONS_BUILD_DIR.with_name("functions.fingerprint")
_SKIP = ("__pycache__", ".pytest_cache")


def sources_fingerprint() -> str:
    """Hash of everything the bundle is built from: requirement files and source dirs.

    The stack compares it with FINGERPRINT_FILE to notice a bundle built before the last
    edit, which would otherwise deploy stale code without a word.
    """
    h = hashlib.sha256()
    files = [ROOT / "requirements.txt", REQUIREMENTS]
    for name in FUNCTION_SOURCE_DIRS:
        files += sorted(p for p in (ROOT / name).rglob("*") if p.is_file() and not p.name.endswith(".pyc"))
    for f in files:
        if f.is_file() and not any(part in _SKIP for part in f.parts):
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def non_portable_wheels(deployment_zip: Path) -> list[str]:
    """Packages in a Lambda zip that were built on this machine rather than downloaded.

    `chalice package` falls back to building an sdist locally when PyPI has no wheel it
    accepts for the Lambda runtime (python3.11 = Amazon Linux 2, glibc 2.26: manylinux2014
    or older). Such a build (WHEEL tag ``linux_x86_64``) links against this machine's glibc
    and shared libraries (libjpeg, libxcb ...) and fails to import on Lambda. Returns
    "<dist-info dir>: <tag>" for each, empty when every package is pure Python or manylinux.
    """
    bad: list[str] = []
    with zipfile.ZipFile(deployment_zip) as z:
        for name in z.namelist():
            if name.endswith(".dist-info/WHEEL"):
                tags = [
                    line.split(":", 1)[1].strip()
                    for line in z.read(name).decode().splitlines()
                    if line.startswith("Tag:")
                ]
                if not all(t.endswith("-any") or "manylinux" in t for t in tags):
                    bad.append(f"{name.rsplit('/', 1)[0]}: {', '.join(tags)}")
    return bad


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(out: Path = FUNCTIONS_BUILD_DIR) -> Path:
    fingerprint = sources_fingerprint()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pip_install = [sys.executable, "-m", "pip", "install", "--quiet"]
    platform = ["--platform", PLATFORM, "--python-version", PYTHON_VERSION, "--implementation", "cp"]
    # --only-binary: never build an sdist here, it would be built for this machine, not Lambda.
    # --no-compile: .pyc embed the files' mtimes, so every build would be a new asset to upload.
    target = ["--only-binary=:all:", "--no-compile", "-t", str(out), "-r", str(REQUIREMENTS)]
    subprocess.run(  # noqa: S603 -- fixed argv: this interpreter's pip, no shell
        [*pip_install, *platform, *target],
        check=True,
        cwd=ROOT,
    )
    ignore = shutil.ignore_patterns("*.pyc", *_SKIP)
    for name in FUNCTION_SOURCE_DIRS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=ignore, dirs_exist_ok=True)
    if out == FUNCTIONS_BUILD_DIR:
        FINGERPRINT_FILE.write_text(fingerprint + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FUNCTIONS_BUILD_DIR)
    args = parser.parse_args(argv)
    started = time.monotonic()
    out = build(args.out)
    size = _size(out)
    print(f"{out}: {size / 2**20:.1f} MiB unzipped, {time.monotonic() - started:.1f} s")
    if size > LAMBDA_UNZIPPED_LIMIT:
        print("error: larger than Lambda's 250 MB unzipped limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
