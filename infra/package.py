"""Build the code bundles the template deploys: ``build/bundles/<name>/`` for the task functions,
and the post-processing of the API's ``chalice package`` zip.

``make synth`` (and ``python -m infra.app``, which ``cdk deploy`` runs) builds them first, so the
template always references complete, current bundles; ``python -m infra.package`` builds them
on their own.

What a bundle is, and why:

- **Per function.** Only IssueCertificate renders PDFs: the ``certificate`` bundle carries
  reportlab, qrcode (and Pillow, a reportlab dependency) and the fonts of ``assets/``; every
  other task function gets the ``tasks`` bundle without them. Neither carries captcha (the API's).
- **Byte-compiled, reproducibly.** ``/var/task`` is read-only, so a bundle without bytecode is
  compiled again by every cold start (measured 2.9× the import time). The ``.pyc`` are written
  with ``--invalidation-mode unchecked-hash`` and a fixed path (``/var/task/...``): no mtime in
  them, the same sources give the same bytes, and the CDK asset hash only changes with the code.
- **Without what the Lambda runtime provides.** boto3, botocore and their dependencies (s3transfer,
  jmespath, urllib3, python-dateutil, six) are part of the python3.11 runtime. PynamoDB pulls
  botocore in (15.7 MiB zipped of the API's 33 MiB). We use the runtime's copy deliberately: the
  DynamoDB, S3, SNS, KMS and Step Functions calls made here exist in every botocore the runtime
  has shipped, AWS patches it with the runtime, and the bundles shrink by half; the price is that
  the botocore version is AWS's, not pinned here (the tests run the pinned one of
  requirements-dev.txt). Set ``BUNDLE_BOTOCORE=1`` to ship the pinned botocore instead.

Lambda runs Amazon Linux on x86_64: wheels are downloaded for that platform
(``--platform manylinux2014_x86_64 --only-binary=:all:``), never built here; no Docker is needed.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra.resources import ROOT

BUILD_DIR = ROOT / "build" / "bundles"
PLATFORM = "manylinux2014_x86_64"  # matches lambda_.Architecture.X86_64 in the stack
PYTHON_VERSION = "3.11"  # matches lambda_.Runtime.PYTHON_3_11 in the stack (and the .pyc magic)
LAMBDA_ROOT = "/var/task"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
# Distributions the python3.11 Lambda runtime has (boto3 and its dependencies).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})
_SKIP = ("__pycache__", ".pytest_cache")
# Code of this repository (and chalice's runtime module): shipped with sources and __pycache__.
OWN_CODE = frozenset({"app.py", "chalicelib", "functions", "chalice", "assets"})
# Files of the wheels no code here uses: Pillow's AVIF, WebP, colour-management and Tk modules and
# their libraries (captcha draws PNGs with FreeType fonts; 3.9 MiB of the API's zip), scripts;
# pydantic's v1 compatibility package (every model here is v2) and Powertools' event handler (the API
# routes with Chalice; the task functions take Step Functions events): 0.9 MiB of the API's zip.
# tests/integration checks that no module of this repository imports any of them.
UNUSED_FILES = (
    "PIL/_avif*", "pillow.libs/libavif-*", "PIL/_webp*", "pillow.libs/libwebp*", "pillow.libs/libsharpyuv-*",
    "PIL/_imagingcms*", "pillow.libs/liblcms2-*", "PIL/_imagingtk*", "bin/*",
    "pydantic/v1/**/*", "aws_lambda_powertools/event_handler/**/*",
)
# The packages of those patterns, which no module here may import (a test walks every module).
UNUSED_PACKAGES = ("pydantic.v1", "aws_lambda_powertools.event_handler")
# A fixed timestamp for zip entries (1980-01-01, the earliest a zip can hold): reproducible zips.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Bundle:
    name: str
    sources: tuple[str, ...]  # directories (or files) of the repository copied in
    requirements: tuple[str, ...]  # requirement files
    leave_out: frozenset[str] = frozenset()  # distribution names of those files not wanted here

    @property
    def path(self) -> Path:
        return BUILD_DIR / self.name

    @property
    def fingerprint_file(self) -> Path:
        return BUILD_DIR / f"{self.name}.fingerprint"


TASKS = Bundle(
    "tasks",
    sources=("functions", "chalicelib"),
    requirements=("requirements.txt",),
    leave_out=frozenset({"captcha", "pillow"}),
)
CERTIFICATE = Bundle(
    "certificate",
    sources=("functions", "chalicelib", "assets"),
    requirements=("functions/requirements.txt",),
    leave_out=frozenset({"captcha"}),  # Pillow stays: reportlab depends on it
)
BUNDLES = (TASKS, CERTIFICATE)
# The task functions that render certificates (infra/resources.py ISSUE_CERTIFICATE and
# ISSUE_BIRTH_CERTIFICATE, the 出生医学证明 of issue 16).
CERTIFICATE_FUNCTIONS = frozenset({"IssueCertificate", "IssueBirthCertificate"})


def bundle_for(function_id: str) -> Bundle:
    return CERTIFICATE if function_id in CERTIFICATE_FUNCTIONS else TASKS


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_provided() -> frozenset[str]:
    return frozenset() if os.environ.get("BUNDLE_BOTOCORE") == "1" else RUNTIME_PROVIDED


def _requirement_lines(path: Path, leave_out: frozenset[str]) -> list[str]:
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r"):
            lines += _requirement_lines((path.parent / line[2:].strip()).resolve(), leave_out)
            continue
        name = re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0]
        if _canonical(name) not in leave_out:
            lines.append(line)
    return lines


def sources_fingerprint(bundle: Bundle) -> str:
    """Hash of everything ``bundle`` is built from (requirements, sources, what is left out)."""
    h = hashlib.sha256(repr((sorted(bundle.leave_out), sorted(runtime_provided()))).encode())
    # the requirements, and this file: how a bundle is built is part of what it is built from
    files = [ROOT / r for r in bundle.requirements] + [ROOT / "requirements.txt", ROOT / "functions" / "requirements.txt"]
    files.append(Path(__file__).resolve())
    for name in bundle.sources:
        src = ROOT / name
        files += sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
    for f in files:
        if f.is_file() and not f.name.endswith(".pyc") and not any(part in _SKIP for part in f.parts):
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def is_current(bundle: Bundle) -> bool:
    return (
        bundle.path.is_dir()
        and bundle.fingerprint_file.is_file()
        and bundle.fingerprint_file.read_text().strip() == sources_fingerprint(bundle)
    )


def remove_distributions(site: Path, names: frozenset[str]) -> list[str]:
    """Delete the installed distributions ``names`` from ``site`` (the files their RECORD lists)."""
    removed = []
    for info in sorted(site.glob("*.dist-info")):
        name = _canonical(info.name[: -len(".dist-info")].rsplit("-", 1)[0])
        if name not in names:
            continue
        record = info / "RECORD"
        for line in record.read_text().splitlines() if record.is_file() else []:
            target = site / line.split(",", 1)[0]
            if target.is_file():
                target.unlink()
        shutil.rmtree(info, ignore_errors=True)
        removed.append(name)
    for d in sorted(site.iterdir(), reverse=True):  # package directories left empty
        if d.is_dir() and not any(p.is_file() for p in d.rglob("*")):
            shutil.rmtree(d)
    return removed


def leave_out_unused(root: Path) -> list[str]:
    """Delete the files of ``UNUSED_FILES`` under ``root``."""
    removed = []
    for pattern in UNUSED_FILES:
        for p in sorted(root.glob(pattern)):
            if p.is_file():
                p.unlink()
                removed.append(str(p.relative_to(root)))
    return removed


def byte_compile(root: Path) -> None:
    """Byte-compile a bundle as Lambda will import it (read-only ``/var/task``), unchecked-hash
    (no mtime: reproducible, never recompiled), each file named ``/var/task/...``:

    - our own code (``OWN_CODE``) keeps its sources, the bytecode in ``__pycache__`` (tracebacks
      show the source lines);
    - third-party packages are shipped as bytecode only (``X.pyc`` in place of ``X.py``): the
      sources are 1.5 MiB of the API's zip, read by nobody. A file that does not compile for this
      Python stays as it is (it would not import either).
    """
    for p in root.rglob("__pycache__"):
        shutil.rmtree(p)
    mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
    for entry in sorted(root.iterdir()):
        own = entry.name in OWN_CODE
        if entry.is_dir():
            compileall.compile_dir(
                str(entry), quiet=2, stripdir=str(root), prependdir=LAMBDA_ROOT,
                invalidation_mode=mode, legacy=not own, workers=1,
            )
        elif entry.suffix == ".py":
            compileall.compile_file(
                str(entry), quiet=2, stripdir=str(root), prependdir=LAMBDA_ROOT,
                invalidation_mode=mode, legacy=not own,
            )
        if not own:
            sources = entry.rglob("*.py") if entry.is_dir() else [entry] if entry.suffix == ".py" else []
            for src in list(sources):
                if src.with_suffix(".pyc").is_file():
                    src.unlink()


def _pip_install(requirements: list[str], target: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(requirements) + "\n")
    try:
        subprocess.run(  # noqa: S603 -- fixed argv: this interpreter's pip, no shell
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--platform", PLATFORM, "--python-version", PYTHON_VERSION, "--implementation", "cp",
             # --only-binary: an sdist would be built for this machine, not Lambda.
             "--only-binary=:all:", "--no-compile", "-t", str(target), "-r", f.name],
            check=True,
            cwd=ROOT,
        )
    finally:
        os.unlink(f.name)


def build(bundle: Bundle) -> Path:
    out = bundle.path
    fingerprint = sources_fingerprint(bundle)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    requirements: list[str] = []
    for r in bundle.requirements:
        requirements += [x for x in _requirement_lines(ROOT / r, bundle.leave_out) if x not in requirements]
    _pip_install(requirements, out)
    remove_distributions(out, runtime_provided())
    leave_out_unused(out)
    ignore = shutil.ignore_patterns("*.pyc", *_SKIP)
    for name in bundle.sources:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(src, out / name)
    byte_compile(out)
    bundle.fingerprint_file.write_text(fingerprint + "\n")
    return out


def ensure_built(bundles: tuple[Bundle, ...] = BUNDLES, *, log=print) -> None:
    """Build every bundle that is missing or older than its sources."""
    for bundle in bundles:
        if is_current(bundle):
            continue
        started = time.monotonic()
        build(bundle)
        log(f"built {bundle.path}: {dir_size(bundle.path) / 2**20:.1f} MiB unzipped, {time.monotonic() - started:.1f} s")


def slim_zip(deployment_zip: Path) -> None:
    """Rewrite a Lambda zip (the API's ``chalice package`` output) in place: without what the
    runtime provides, byte-compiled, entries sorted with a fixed time (same input, same bytes)."""
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(deployment_zip) as z:
            z.extractall(root)
        remove_distributions(root, runtime_provided())
        leave_out_unused(root)
        byte_compile(root)
        write_zip(root, deployment_zip)


def write_zip(root: Path, path: Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for f in files:
            info = zipfile.ZipInfo(str(f.relative_to(root)), date_time=_ZIP_TIME)
            info.external_attr = (0o755 if os.access(f, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, f.read_bytes(), compresslevel=9)


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


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args(argv)
    status = 0
    for bundle in BUNDLES:
        if args.force or not is_current(bundle):
            started = time.monotonic()
            build(bundle)
            print(f"built {bundle.path}, {time.monotonic() - started:.1f} s")
        size = dir_size(bundle.path)
        print(f"{bundle.name}: {size / 2**20:.1f} MiB unzipped")
        if size > LAMBDA_UNZIPPED_LIMIT:
            print(f"error: {bundle.name} is larger than Lambda's 250 MB unzipped limit", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
