"""Domain packages never import Textual: only tui/ does."""

import subprocess
import sys


def test_domain_packages_do_not_import_textual():
    code = (
        "import importlib, pkgutil, sys\n"
        "for top in ('coding', 'corpus', 'codebooks', 'exports'):\n"
        "    package = importlib.import_module(top)\n"
        "    for info in pkgutil.walk_packages(package.__path__, top + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
