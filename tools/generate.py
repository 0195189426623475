"""Generate the client package from openapi.yaml, or check that generated/ is current.

Generation is a pure function of openapi.yaml, generator-config.yaml and
overrides/: openapi-python-client renders the package with the custom
templates in overrides/templates, the hand-written modules of overrides/lib
land in the package as ``dataarts_export_client.lib``, and the spec itself is
shipped inside the package so that the emulator and the contract tests load
exactly the spec the client was generated from.

``--check`` generates into a temporary directory and compares it with the
committed tree, so drift shows as a unified diff instead of a silent rewrite.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR_NAME = "dataarts-export-client"
PACKAGE_NAME = "dataarts_export_client"
IGNORED_NAMES = {".ruff_cache", "__pycache__", ".mypy_cache", ".pytest_cache"}


def generate(root: Path, spec: Path, output: Path) -> None:
    """Write a fresh client project for ``spec`` to ``output`` (replaced if present)."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    # The post-hooks call ruff by name: use the pinned one from this environment.
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["RUFF_NO_CACHE"] = "true"
    with tempfile.TemporaryDirectory(prefix="generate-") as scratch:
        target = Path(scratch) / PROJECT_DIR_NAME
        command = [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(root / "generator-config.yaml"),
            "--custom-template-path",
            str(root / "overrides" / "templates"),
            "--meta",
            "uv",
            "--output-path",
            str(target),
            "--fail-on-warning",
        ]
        result = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"openapi-python-client failed with exit code {result.returncode}")
        package = target / PACKAGE_NAME
        shutil.copytree(
            root / "overrides" / "lib",
            package / "lib",
            ignore=shutil.ignore_patterns(*IGNORED_NAMES),
        )
        shutil.copyfile(spec, package / "openapi.yaml")
        for leftover in target.rglob(".ruff_cache"):
            shutil.rmtree(leftover)
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(target, output)


def _files(tree: Path) -> set[Path]:
    return {
        path.relative_to(tree)
        for path in tree.rglob("*")
        if path.is_file() and not IGNORED_NAMES.intersection(path.relative_to(tree).parts)
    }


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Unified diff lines turning ``actual`` (committed) into ``expected`` (fresh)."""
    lines: list[str] = []
    expected_files, actual_files = _files(expected), _files(actual)
    for rel in sorted(expected_files | actual_files):
        fresh, committed = expected / rel, actual / rel
        if rel in expected_files and rel in actual_files and filecmp.cmp(fresh, committed, shallow=False):
            continue
        old = committed.read_text(encoding="utf-8").splitlines(keepends=True) if rel in actual_files else []
        new = fresh.read_text(encoding="utf-8").splitlines(keepends=True) if rel in expected_files else []
        label = f"generated/{PROJECT_DIR_NAME}/{rel}"
        lines.extend(difflib.unified_diff(old, new, fromfile=f"a/{label}", tofile=f"b/{label}"))
        if rel not in expected_files:
            lines.append(f"only in committed tree: {label}\n")
        elif rel not in actual_files:
            lines.append(f"missing from committed tree: {label}\n")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--spec", type=Path, help="spec to generate from (default: ROOT/openapi.yaml)")
    parser.add_argument("--check", action="store_true", help="fail with a diff when generated/ is not current")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    spec: Path = (args.spec or root / "openapi.yaml").resolve()
    committed = root / "generated" / PROJECT_DIR_NAME
    if not args.check:
        generate(root, spec, committed)
        print(f"generated {committed.relative_to(root)} from {spec.name}")
        return 0
    with tempfile.TemporaryDirectory(prefix="check-generated-") as scratch:
        fresh = Path(scratch) / PROJECT_DIR_NAME
        generate(root, spec, fresh)
        drift = diff_trees(fresh, committed)
    if drift:
        sys.stdout.writelines(drift)
        print(
            f"\ngenerated/{PROJECT_DIR_NAME} differs from a fresh generation of {spec.name}: "
            "run `make generate` and commit the result.",
            file=sys.stderr,
        )
        return 1
    print(f"generated/{PROJECT_DIR_NAME} is current with {spec.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
