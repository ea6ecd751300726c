"""The domain is pure: importing every module must not pull in boto3/botocore."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_domain_does_not_import_boto():
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import chalicelib.domain as d
        names = [m.name for m in pkgutil.walk_packages(d.__path__, d.__name__ + ".")]
        for name in names:
            importlib.import_module(name)
        # exercise the lazy paths too (region table, chinese-calendar, pydantic parsing)
        from datetime import date
        d.evaluate(d.parse_registration(d.demo_registration(), today=date(2026, 5, 6)), today=date(2026, 5, 6))
        d.is_working_day(date(2026, 10, 1))
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))
        assert not bad, bad
        print(len(names))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 14  # every module was imported
