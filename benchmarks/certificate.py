"""Benchmark of the certificate PDF renderer (chalicelib/documents/certificate_pdf.py).

Run from the repository root:  .venv/bin/python benchmarks/certificate.py [--runs N] [--cold-runs N]

The first three lines are the headline figures, then details:
  certificate_ratio_to_floor  median warm render_certificate() time / median warm render_floor()
                              time, measured interleaved in the same process (>= 50 runs each).
                              The floor draws the same strings in the same embedded fonts and the
                              same QR code (same encoding, same drawing) on a bare canvas, so the
                              ratio is what the table layout, wrapping and styling cost on top.
  certificate_pdf_kb          size of the sample certificate, KiB.
  certificate_import_ms       cold start: median wall time of >= 5 fresh interpreters that import
                              the module, build the sample data and render it once, minus the median
                              wall time of >= 5 bare interpreters (`python -c pass`). This is what a
                              cold task Lambda pays before the first certificate is ready: importing
                              reportlab/qrcode (PIL comes with both), parsing and registering the
                              fonts (the 4 MB CJK font dominates) and the first render. One untimed
                              run goes first; with PYTHONDONTWRITEBYTECODE set (as on the dev
                              machines, and like Lambda, whose package directory is read-only) our
                              own modules are compiled in every run, which is included.
  certificate_sign_ms         signing the QR token (issue 6), reported apart from the ratio, which
                              is PDF generation only as the issue defines it: median of >= 50
                              ES256 signatures of a real token (JWS encoding, ECDSA P-256 with
                              cryptography, DER -> r||s) with an in-memory key. In AWS the ECDSA
                              step is a KMS Sign call instead (a network round trip, not measured
                              here); the details give the same through moto's KMS in-process
                              (botocore + moto, no network) and the offline verification time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from chalicelib.documents.certificate_pdf import (  # noqa: E402
    CertificateData,
    render_certificate,
    render_floor,
)

SAMPLE = CertificateData(
    title="重庆市生育服务证登记回执",
    registration_number="5001032024000023",
    child_order_label="二孩",
    born=True,
    birth_date=date(2024, 3, 5),
    woman_name="张晓梅",
    woman_id="500103199001011234",
    woman_hukou="重庆市渝中区解放碑街道民族路社区",
    woman_residence="重庆市渝北区龙溪街道金紫山社区红锦大道88号金紫山小区3栋2单元1201室",
    man_name="阿卜杜热合曼·买买提",
    man_id="650102198805052345",
    man_hukou="新疆维吾尔自治区乌鲁木齐市天山区",
    man_residence="重庆市渝北区龙溪街道金紫山社区",
    office_name="重庆市渝中区解放碑街道办事处",
    registration_date=date(2024, 3, 1),
    validity_statement="本登记回执作为电子化生育服务证登记结果，与纸质生育服务证具有同等效力，可扫描二维码查验真伪。",
    version=2,
    # a real token's length: ES256 JWS, kid = a KMS key id (chalicelib/adapters/signing.py)
    verify_url="https://birthreg.example.gov.cn/v/"
    "eyJhbGciOiJFUzI1NiIsImtpZCI6IjBiN2U1ZDZjLTJmNGEtNGU4Yi05YzFkLTNhNWY3ZTliMWMyZCJ9"
    ".eyJzdWIiOiI1MDAxMDMyMDI0MDAwMDIzIiwidmVyIjoyLCJpYXQiOjE3MDkyNTEyMDB9"
    ".j479p-zqkaDHjci7D-nTOVpBZC27Ka6SdAukUqk1bAhgYQpV3-P7zyVEDG4ZD2SH9eWzd0ssPCIsD3rENYaAeA",
)
CLAIMS = ("5001032024000023", 2, 1709251200)

COLD_CODE = (
    "import datetime\n"
    "import chalicelib.documents.certificate_pdf as m\n"
    "m.render_certificate(m.CertificateData(**{fields!r}))\n"
)
SPLIT_CODE = (
    "import datetime, time\n"
    "t0 = time.perf_counter()\n"
    "import chalicelib.documents.certificate_pdf as m\n"
    "t1 = time.perf_counter()\n"
    "from reportlab.pdfgen import canvas; import qrcode\n"
    "t2 = time.perf_counter()\n"
    "m.load_fonts()\n"
    "t3 = time.perf_counter()\n"
    "m.render_certificate(m.CertificateData(**{fields!r}))\n"
    "t4 = time.perf_counter()\n"
    "print((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3)\n"
)


def warm(runs: int) -> tuple[list[float], list[float]]:
    for _ in range(5):
        render_certificate(SAMPLE)
        render_floor(SAMPLE)
    cert, floor = [], []
    for _ in range(runs):  # interleaved, so drift (CPU frequency, other load) hits both alike
        t = time.perf_counter()
        render_certificate(SAMPLE)
        cert.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_floor(SAMPLE)
        floor.append(time.perf_counter() - t)
    return cert, floor


def signing_times(runs: int) -> dict[str, list[float]]:
    """Sign (local key, and moto's KMS in-process) and verify the sample's token, ``runs`` times each."""
    from chalicelib.adapters import signing

    claims = signing.Claims(*CLAIMS)
    local = signing.LocalSigner("0b7e5d6c-2f4a-4e8b-9c1d-3a5f7e9b1c2d")
    keys = local.keys()
    token = signing.sign(claims, local)
    out: dict[str, list[float]] = {"sign": [], "verify": [], "kms": []}
    for _ in range(5):
        signing.verify(signing.sign(claims, local), keys)
    for _ in range(runs):
        t = time.perf_counter()
        signing.sign(claims, local)
        out["sign"].append(time.perf_counter() - t)
        t = time.perf_counter()
        signing.verify(token, keys)
        out["verify"].append(time.perf_counter() - t)

    # moto needs some credentials; these are not secrets
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from chalicelib import config

    with mock_aws():
        config.reset_clients()
        kms = config.client("kms")
        signer = signing.KmsSigner(kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])
        for _ in range(5):
            signing.sign(claims, signer)
        for _ in range(runs):
            t = time.perf_counter()
            signing.sign(claims, signer)
            out["kms"].append(time.perf_counter() - t)
    config.reset_clients()
    return out


def wall(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env=os.environ.copy())
    return time.perf_counter() - t


def cold(runs: int) -> tuple[list[float], list[float], list[list[float]]]:
    code = COLD_CODE.format(fields=dataclasses.asdict(SAMPLE))
    split_code = SPLIT_CODE.format(fields=dataclasses.asdict(SAMPLE))
    wall(code)  # untimed: compile .pyc files
    full, bare, split = [], [], []
    for _ in range(runs):
        bare.append(wall("pass"))
        full.append(wall(code))
        out = subprocess.run(
            [sys.executable, "-c", split_code], cwd=REPO, check=True, capture_output=True, text=True
        ).stdout
        split.append([float(x) for x in out.split()])
    return full, bare, split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100, help="warm runs of each function (>= 50)")
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh interpreters (>= 5)")
    args = parser.parse_args()
    if args.runs < 50 or args.cold_runs < 5:
        parser.error("--runs must be >= 50 and --cold-runs >= 5")

    cert, floor = warm(args.runs)
    pdf = render_certificate(SAMPLE)
    full, bare, split = cold(args.cold_runs)
    signs = signing_times(args.runs)
    sign_import = statistics.median(
        wall("import chalicelib.adapters.signing as s; s.LocalSigner().sign_der(b'x')") for _ in range(args.cold_runs)
    ) - statistics.median(bare)

    cert_ms = statistics.median(cert) * 1e3
    floor_ms = statistics.median(floor) * 1e3
    import_ms = (statistics.median(full) - statistics.median(bare)) * 1e3
    print(f"certificate_ratio_to_floor: {cert_ms / floor_ms:.3f}")
    print(f"certificate_pdf_kb: {len(pdf) / 1024:.1f}")
    print(f"certificate_import_ms: {import_ms:.0f}")
    print(f"certificate_sign_ms: {statistics.median(signs['sign']) * 1e3:.3f}")
    print()
    print(
        f"warm render_certificate median: {cert_ms:.2f} ms over {len(cert)} runs "
        f"(p10 {statistics.quantiles(cert, n=10)[0] * 1e3:.2f}, p90 {statistics.quantiles(cert, n=10)[-1] * 1e3:.2f})"
    )
    print(
        f"warm render_floor median:       {floor_ms:.2f} ms over {len(floor)} runs "
        f"(p10 {statistics.quantiles(floor, n=10)[0] * 1e3:.2f}, p90 {statistics.quantiles(floor, n=10)[-1] * 1e3:.2f})"
    )
    print(f"pdf bytes: {len(pdf)}; floor pdf bytes: {len(render_floor(SAMPLE))}")
    print(
        f"cold: import+render interpreter median {statistics.median(full) * 1e3:.0f} ms, "
        f"bare interpreter median {statistics.median(bare) * 1e3:.0f} ms, {len(full)} runs each"
    )
    print(
        f"signing: local ES256 sign median {statistics.median(signs['sign']) * 1e3:.3f} ms, offline verify "
        f"median {statistics.median(signs['verify']) * 1e3:.3f} ms, sign via moto KMS in-process median "
        f"{statistics.median(signs['kms']) * 1e3:.2f} ms ({len(signs['sign'])} runs each); token "
        f"{len(SAMPLE.verify_url.rsplit('/', 1)[-1])} chars, verify_url {len(SAMPLE.verify_url)} chars"
    )
    print(f"cold import of the signing module (cryptography) + one signature: {sign_import * 1e3:.0f} ms")
    cols = list(zip(*split, strict=True))
    names = ("import module", "import reportlab+qrcode", "register fonts", "first render")
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
    print(
        "cold split (in-process, median ms): "
        + ", ".join(f"{n} {statistics.median(c):.0f}" for n, c in zip(names, cols, strict=True))
    )


if __name__ == "__main__":
    main()
