"""The deployed bundles as a cold start sees them (issue 18).

A Lambda cold start imports from ``/var/task``, which is read-only: whatever bytecode the bundle
does not carry is compiled again by every cold start. Measured here on the bundles the template
references — the API's zip (the ``ChaliceAppCode`` asset of ``cdk.out``, or ``BENCH_API_ZIP``)
and ``build/bundles/*`` (``BENCH_BUNDLES_DIR``) — each unpacked into a read-only directory and
imported by ``python -S`` (no site-packages) with ``PYTHONDONTWRITEBYTECODE=1``, next to a stand-in
of the runtime's own boto3/botocore (what the python3.11 runtime provides, byte-compiled as there).

- ``bundle_cold_import_ratio_<name>``: cold import as built ÷ the same files byte-compiled (a
  writable copy after ``compileall``): 1.0 means no cold start compiles anything.
- ``api_bundle_zip_mb``: the API's zip (MiB).
- ``cold_init_ms_<name>``: the cold import's median CPU time (this machine).
- ``cold_init_ms_fn_<function>``: the same for each task function on its own, which aws_requests
  prices as that function's Lambda INIT duration. Each function is its own Lambda and imports only
  its handler module; what its invocations import later (imports inside functions) is counted too:
  the workload imports every module its handler's code names anywhere, followed through the
  project's own modules (``function_workload``) -- an upper bound of what one container loads.

Times are CPU seconds (user + system) of the importing process, medians of ``BENCH_IMPORT_RUNS``.
"""

from __future__ import annotations

import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "5"))
TARGET_RATIO = 1.2
COLD_INIT_FILE = ROOT / "build" / "bench" / "cold_init.json"
TARGET_ZIP_MB = 15.0
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six.py")
# What each bundle's cold start loads: the handler module and what its first request imports.
WORKLOADS = {
    "api": "import app, chalicelib.services.citizen.registration, chalicelib.store.cases, chalicelib.store.codes",
    "tasks": "import functions.verify_records, functions.notify, functions.await_review",
    "certificate": (
        "import functions.issue_certificate, chalicelib.documents.certificate_pdf, reportlab.pdfgen.canvas, "
        "reportlab.pdfbase.ttfonts, qrcode"
    ),
}
ENV = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "BIRTHREG_STAGE": "local"}


PROJECT_PACKAGES = ("chalicelib", "functions")
REPOSITORY_SLOTS = "chalicelib.store.repositories."  # chalicelib/store/repositories.py


def _module_file(module: str) -> Path | None:
    base = ROOT / module.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def function_workload(module: str) -> str:
    """Code importing what the function of handler module ``module`` can load: the module, then
    every module named by an ``import`` anywhere in it (top level or inside a function), followed
    through the project's packages (a repository slot to its store module); a module the bundle
    does not carry is skipped (the code that names it never runs in that function)."""
    import ast

    project, other, todo = [], set(), [module]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if name in project or path is None:
            continue
        project.append(name)
        parts = name.split(".")
        package = parts if path.name == "__init__.py" else parts[:-1]
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                named = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
                source = ".".join(p for p in (base, node.module or "") if p)
                named = [source, *(f"{source}.{a.name}" for a in node.names)]
            else:
                continue
            for n in named:
                if n.startswith(REPOSITORY_SLOTS):  # a slot imports its store module on first use
                    todo.append("chalicelib.store." + n[len(REPOSITORY_SLOTS) :])
                elif n.split(".")[0] in PROJECT_PACKAGES:
                    todo.append(n)
                elif isinstance(node, ast.Import) or n == named[0]:
                    other.add(n)
    lines = [f"import {module}"]  # the handler itself must import: a failure is loud
    lines += [f"try:\n    import {m}\nexcept ImportError:\n    pass" for m in sorted(other) + project[1:]]
    return "\n".join(lines)


def api_zip() -> Path:
    if os.environ.get("BENCH_API_ZIP"):
        return Path(os.environ["BENCH_API_ZIP"])
    assets = ROOT / "cdk.out" / "BirthRegStack.assets.json"
    if not assets.is_file():
        subprocess.run([sys.executable, "-m", "infra.app"], cwd=ROOT, check=True, capture_output=True)
    files = json.loads(assets.read_text())["files"].values()
    (code,) = [a for a in files if a.get("displayName", "").endswith("ChaliceAppCode")]
    return assets.parent / code["source"]["path"]


def bundle_dirs() -> dict[str, Path]:
    base = Path(os.environ.get("BENCH_BUNDLES_DIR", ROOT / "build" / "bundles"))
    return {name: base / name for name in ("tasks", "certificate") if (base / name).is_dir()}


def _runtime_standin(tmp: Path) -> Path:
    """boto3 & co. from this venv, byte-compiled (the runtime's copy in /var/runtime is)."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    out = tmp / "runtime"
    out.mkdir()
    for name in RUNTIME_MODULES:
        if (site / name).exists():
            (out / name).symlink_to(site / name)
            if (site / name).is_dir():
                compileall.compile_dir(str(site / name), quiet=2)
    return out


def _read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode & ~0o222)


def _writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | 0o200)


def _cold(bundle: Path, runtime: Path, code: str) -> float:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": f"{bundle}:{runtime}", **ENV}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-S", "-c", code], cwd=bundle, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the child (user + system): an import is CPU-bound, and on this shared 2-core
    # machine wall time mostly measures the other processes
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(name: str, source: Path, runtime: Path, tmp: Path) -> tuple[float, float, float]:
    """(cold as built, cold byte-compiled, bare interpreter) medians in seconds."""
    built = tmp / f"{name}-built"
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as z:
            z.extractall(built)
    else:
        shutil.copytree(source, built, symlinks=True)
    compiled = tmp / f"{name}-compiled"
    shutil.copytree(built, compiled, symlinks=True)
    compileall.compile_dir(str(compiled), quiet=2, workers=1)  # what the files cost once compiled
    _read_only(built)
    code = WORKLOADS[name]
    _cold(built, runtime, code)  # a failed import fails here, loudly
    a, b, bare = [], [], []
    for _ in range(RUNS):  # interleaved: machine noise hits all alike
        bare.append(_cold(built, runtime, "pass"))
        a.append(_cold(built, runtime, code))
        b.append(_cold(compiled, runtime, code))
    _writable(built)
    return statistics.median(a), statistics.median(b), statistics.median(bare)


def measure_functions(tmp: Path, runtime: Path) -> dict[str, float]:
    """Median cold INIT CPU (ms, minus the bare interpreter) of every task function, in the
    bundle it ships in (unpacked read-only by ``measure``)."""
    from infra import package, resources

    out: dict[str, float] = {}
    for fn in resources.FUNCTIONS:
        built = tmp / f"{package.bundle_for(fn.id).name}-built"
        if not built.is_dir():
            continue
        _read_only(built)
        code = function_workload(fn.module)
        times, bare = [], []
        for _ in range(RUNS):
            bare.append(_cold(built, runtime, "pass"))
            times.append(_cold(built, runtime, code))
        _writable(built)
        out[fn.suffix] = round((statistics.median(times) - statistics.median(bare)) * 1000, 1)
    return out


def captcha_works(api_dir: Path, runtime: Path) -> bool:
    """The slimmed API bundle still draws a captcha (Pillow without the codecs left out)."""
    code = "from captcha.image import ImageCaptcha; assert ImageCaptcha(width=160, height=60).generate('A3K9').read(8)"
    try:
        _cold(api_dir, runtime, code)
    except subprocess.CalledProcessError:
        return False
    return True


def main() -> int:
    results: dict[str, tuple[float, float, float]] = {}
    sources: dict[str, Path] = {"api": api_zip(), **bundle_dirs()}
    with tempfile.TemporaryDirectory(prefix="bench-bundles-") as t:
        tmp = Path(t)
        runtime = _runtime_standin(tmp)
        for name, source in sources.items():
            results[name] = measure(name, source, runtime, tmp)
        captcha_ok = captcha_works(tmp / "api-built", runtime)
        functions = measure_functions(tmp, runtime)
    zip_mb = sources["api"].stat().st_size / 2**20
    COLD_INIT_FILE.parent.mkdir(parents=True, exist_ok=True)  # for aws_requests' INIT billing
    measured = {n: round((b - z) * 1000, 1) for n, (b, _, z) in results.items()}
    COLD_INIT_FILE.write_text(json.dumps({**measured, "functions": functions}))
    for name, (built, compiled, bare) in results.items():
        ratio = (built - bare) / max(compiled - bare, 1e-6)
        print(f"bundle_cold_import_ratio_{name}: {ratio:.2f}")
        print(f"cold_init_ms_{name}: {(built - bare) * 1000:.0f}")
    for suffix, ms in functions.items():
        print(f"cold_init_ms_fn_{suffix.replace('-', '_')}: {ms:.0f}")
    print(f"api_bundle_zip_mb: {zip_mb:.2f}")
    print()
    for name, (built, compiled, bare) in results.items():
        print(f"  {name}: cold import as built {(built - bare) * 1000:.0f} ms, byte-compiled {(compiled - bare) * 1000:.0f} ms "
              f"(CPU, medians of {RUNS}, minus bare interpreter {bare * 1000:.0f} ms) from {sources[name]}")
    print(f"  targets: ratio <= {TARGET_RATIO} for every bundle; API zip <= {TARGET_ZIP_MB} MiB "
          f"({'met' if zip_mb <= TARGET_ZIP_MB else 'NOT met'}); captcha drawn from the API bundle: {captcha_ok}")
    ok = captcha_ok and all((b - z) / max(c - z, 1e-6) <= TARGET_RATIO for b, c, z in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
