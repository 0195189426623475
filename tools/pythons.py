"""Find an installed CPython X.Y for the test runs on the other supported Pythons (``make test-matrix``).

``python -m tools.pythons 3.13`` prints the path of a working ``python3.13``
and exits 0, or names every place it looked and exits 2: a missing
interpreter stops the run, rather than the run passing without it.

Looked for, in order: pyenv's newest X.Y (``pyenv prefix X.Y``), then each
``pythonX.Y`` on the PATH, then the usual system and pyenv folders (pyenv
without its shell set-up). A candidate counts only if it runs and reports
X.Y: pyenv's shims are on the PATH for every installed version but fail for
all but the selected one. Standard library only, so any ``python3`` can run
it before an environment exists.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPORT_VERSION = "import sys; print('%d.%d' % sys.version_info[:2])"


def candidates(version: str, environ: dict[str, str] | None = None) -> Iterator[Path]:
    """Places a ``python{version}`` may be, most specific first (not yet checked to run)."""
    environ = dict(os.environ if environ is None else environ)
    executable = f"python{version}"
    pyenv = shutil.which("pyenv", path=environ.get("PATH"))
    if pyenv:
        prefix = subprocess.run(
            [pyenv, "prefix", version], capture_output=True, text=True, env=environ, check=False, timeout=30
        )
        if prefix.returncode == 0 and prefix.stdout.strip():
            yield Path(prefix.stdout.strip().splitlines()[0]) / "bin" / executable
    on_path = [folder for folder in environ.get("PATH", "").split(os.pathsep) if folder]
    for folder in [*on_path, "/usr/local/bin", "/usr/bin"]:
        if os.access(Path(folder) / executable, os.X_OK):
            yield Path(folder) / executable
    pyenv_root = environ.get("PYENV_ROOT") or str(Path(environ.get("HOME", "~")).expanduser() / ".pyenv")
    installed = glob.glob(os.path.join(glob.escape(pyenv_root), "versions", f"{glob.escape(version)}.*"))
    yield from (Path(folder) / "bin" / executable for folder in sorted(installed, reverse=True))


def reported_version(python: Path, environ: dict[str, str] | None = None) -> str | None:
    """The X.Y ``python`` reports, or None when it does not run."""
    try:
        result = subprocess.run(
            [str(python), "-c", REPORT_VERSION], capture_output=True, text=True, env=environ, check=False, timeout=30
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def find(version: str, environ: dict[str, str] | None = None) -> Path:
    """A working ``python{version}``; :class:`LookupError` naming every place tried."""
    tried = []
    for python in candidates(version, environ):
        if reported_version(python, environ) == version:
            return python
        tried.append(str(python))
    raise LookupError(
        f"no working Python {version} found (tried: {', '.join(dict.fromkeys(tried))}); "
        f"install one (e.g. `pyenv install {version}`) or run `make test-python PYTHON=/path/to/python{version}`"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pythons", description=__doc__.splitlines()[0])
    parser.add_argument("version", help="X.Y, e.g. 3.13")
    args = parser.parse_args(argv)
    try:
        print(find(args.version))
    except LookupError as error:
        print(f"tools.pythons: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
