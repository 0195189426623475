"""Generate the client package from openapi.yaml, or check that generated/ is current.

Generation is a pure function of openapi.yaml, generator-config.yaml and
overrides/templates: openapi-python-client renders the package with the custom
templates, and the spec is shipped inside the package (``openapi.yaml``, a
generated artifact) so that an installed emulator can load it.

The one hand-written folder inside the package, ``dataarts_export_client/lib``
(the helpers), is never written by generation: it is carried over untouched,
as openai-python keeps ``src/openai/lib`` beside its generated core. So the
file a developer edits is the file that tracebacks, mypy, ruff and coverage
name, and it exists once in the tree.

``--check`` generates into a temporary directory and compares it with the
committed tree, everything but ``lib/``, so drift (a stale generation, a hand
edit, a stray file) shows as a unified diff instead of a silent rewrite.
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
HAND_WRITTEN = Path(PACKAGE_NAME) / "lib"
IGNORED_NAMES = {".ruff_cache", "__pycache__", ".mypy_cache", ".pytest_cache"}


def generate(root: Path, spec: Path, output: Path) -> None:
    """Write a fresh client project for ``spec`` to ``output``, replacing all of it but ``lib/``."""
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
        shutil.copyfile(spec, target / PACKAGE_NAME / "openapi.yaml")
        for leftover in target.rglob(".ruff_cache"):
            shutil.rmtree(leftover)
        output.mkdir(parents=True, exist_ok=True)
        for stale in output.iterdir():
            if stale.name == PACKAGE_NAME:
                for entry in stale.iterdir():
                    if entry.name != HAND_WRITTEN.name:
                        _remove(entry)
            else:
                _remove(stale)
        shutil.copytree(target, output, dirs_exist_ok=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _files(tree: Path) -> set[Path]:
    """The generated files of a project tree (the hand-written ``lib/`` is not generated)."""
    return {
        rel
        for rel in (path.relative_to(tree) for path in tree.rglob("*") if path.is_file())
        if not IGNORED_NAMES.intersection(rel.parts) and not rel.is_relative_to(HAND_WRITTEN)
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
