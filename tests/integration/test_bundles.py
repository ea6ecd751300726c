"""How infra/package.py turns sources into deployable bundles (no pip, no network: small trees)."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

from infra import package


def _tree(root: Path) -> None:
    (root / "chalicelib").mkdir(parents=True)
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "mod.py").write_text("VALUE = 42\n")
    (root / "thirdparty").mkdir()
    (root / "thirdparty" / "__init__.py").write_text("NAME = 'third'\n")
    info = root / "botocore-1.0.dist-info"
    info.mkdir()
    (root / "botocore").mkdir()
    (root / "botocore" / "__init__.py").write_text("")
    (info / "RECORD").write_text("botocore/__init__.py,,\nbotocore-1.0.dist-info/RECORD,,\n")
    (root / "PIL").mkdir()
    (root / "PIL" / "_avif.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\0")
    (root / "PIL" / "Image.py").write_text("")


def _slim(tmp: Path, name: str) -> bytes:
    src = tmp / f"src-{name}"
    _tree(src)
    z = tmp / f"{name}.zip"
    package.write_zip(src, z)
    package.slim_zip(z)
    return z.read_bytes()


def test_a_slimmed_zip_is_reproducible_and_leaves_out_what_the_runtime_has(tmp_path):
    first, second = _slim(tmp_path, "a"), _slim(tmp_path, "b")
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    names = set(zipfile.ZipFile(tmp_path / "a.zip").namelist())
    assert not any(n.startswith(("botocore", "PIL/_avif")) for n in names)
    # our code: sources plus __pycache__; third-party: bytecode only
    tag = sys.implementation.cache_tag
    assert {"chalicelib/mod.py", f"chalicelib/__pycache__/mod.{tag}.pyc"} <= names
    assert "thirdparty/__init__.pyc" in names and "thirdparty/__init__.py" not in names


def test_the_bytecode_is_used_from_a_read_only_directory(tmp_path):
    z = tmp_path / "b.zip"
    _slim(tmp_path, "b")
    out = tmp_path / "unpacked"
    zipfile.ZipFile(z).extractall(out)
    for p in [out, *out.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)
    code = "import chalicelib.mod, thirdparty, sys; print(chalicelib.mod.__cached__, thirdparty.NAME)"
    result = subprocess.run([sys.executable, "-S", "-B", "-c", code], cwd=out, capture_output=True, text=True,
                            env={"PYTHONPATH": str(out)}, check=True)
    assert "__pycache__" in result.stdout and "third" in result.stdout
    pyc = next(out.glob("chalicelib/__pycache__/mod.*.pyc"))
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, unchecked: never recompiled, no mtime inside
    assert importlib.util.source_hash((out / "chalicelib" / "mod.py").read_bytes()) == pyc.read_bytes()[8:16]
    for p in [out, *out.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)


def test_only_the_certificate_issuers_get_the_renderer():
    from infra.resources import FUNCTIONS

    renderers = {f.id for f in FUNCTIONS if package.bundle_for(f.id) is package.CERTIFICATE}
    assert renderers == {"IssueCertificate", "IssueBirthCertificate"}
    assert "assets" not in package.TASKS.sources
    tasks = package._requirement_lines(package.ROOT / "requirements.txt", package.TASKS.leave_out)
    cert = package._requirement_lines(package.ROOT / "functions" / "requirements.txt", package.CERTIFICATE.leave_out)
    names = lambda lines: {line.split("==")[0].lower() for line in lines}  # noqa: E731
    assert {"reportlab", "qrcode", "captcha", "pillow"}.isdisjoint(names(tasks))
    assert {"reportlab", "qrcode"} <= names(cert) and "captcha" not in names(cert)


def test_the_packages_left_out_of_the_bundles_are_imported_by_no_module_here():
    """``package.UNUSED_FILES`` drops pydantic.v1 and Powertools' event handler from every bundle:
    importing every module of the API and of the task functions (in a fresh interpreter) loads
    neither, and the patterns do remove them from a tree."""
    probe = (
        "import importlib, pkgutil, sys\n"
        "import app, chalicelib, functions\n"
        "for pkg in (chalicelib, functions):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted(k for k in sys.modules if k.startswith({package.UNUSED_PACKAGES!r})))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {"BIRTHREG_STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_the_unused_patterns_remove_whole_packages(tmp_path):
    for name in package.UNUSED_PACKAGES:
        pkg = tmp_path.joinpath(*name.split("."))
        (pkg / "sub").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "sub" / "deep.py").write_text("")
    (tmp_path / "pydantic" / "main.py").write_text("")  # the rest of pydantic stays
    removed = package.leave_out_unused(tmp_path)
    assert "pydantic/v1/sub/deep.py" in removed and "aws_lambda_powertools/event_handler/__init__.py" in removed
    assert (tmp_path / "pydantic" / "main.py").is_file()
    assert not [p for p in tmp_path.rglob("*.py") if "v1" in p.parts or "event_handler" in p.parts]
