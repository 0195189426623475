"""Which openapi.yaml the emulator reads: the checkout's root file in a checkout, else the client package's copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataarts_emulator import spec
from dataarts_emulator.spec import checkout_spec, load_spec, parse_spec, spec_source

ROOT = Path(__file__).resolve().parents[2]


def layout(root: Path, *, with_spec: bool) -> Path:
    """``<root>/emulator/src/dataarts_emulator`` (and ``<root>/openapi.yaml`` when asked); returns the package dir."""
    package_dir = root / "emulator" / "src" / "dataarts_emulator"
    package_dir.mkdir(parents=True)
    if with_spec:
        (root / "openapi.yaml").write_text("openapi: 3.1.0\ninfo: {title: root copy, version: '1'}\n")
    return package_dir


def test_the_emulator_under_test_reads_this_checkouts_spec() -> None:
    if Path(spec.__file__).is_relative_to(ROOT):  # this checkout's emulator, as make setup installs it (editable)
        assert checkout_spec() == ROOT / "openapi.yaml"
        assert spec_source() == ROOT / "openapi.yaml"
    else:  # a built wheel (tests/packaging runs these tests on one): the copy the client package ships
        assert checkout_spec() is None
    assert load_spec() == parse_spec(ROOT / "openapi.yaml")


def test_a_checkout_layout_with_a_root_spec_reads_it(tmp_path: Path) -> None:
    package_dir = layout(tmp_path, with_spec=True)
    assert spec_source(package_dir) == tmp_path / "openapi.yaml"
    assert parse_spec(spec_source(package_dir))["info"]["title"] == "root copy"


@pytest.mark.parametrize("where", ["site-packages", "checkout without a root spec"])
def test_anywhere_else_reads_the_copy_in_the_client_package(tmp_path: Path, where: str) -> None:
    if where == "site-packages":
        package_dir = tmp_path / "lib" / "python3.11" / "site-packages" / "dataarts_emulator"
        package_dir.mkdir(parents=True)
        (tmp_path / "lib" / "python3.11" / "openapi.yaml").write_text("not: the spec\n")  # never searched for
    else:
        package_dir = layout(tmp_path, with_spec=False)
    assert checkout_spec(package_dir) is None
    source = spec_source(package_dir)
    assert source.name == "openapi.yaml"
    assert Path(str(source)).parent.name == spec.SPEC_PACKAGE
    assert parse_spec(source)["openapi"].startswith("3.1")
