from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_state import ExportState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_operation import BatchOperation


T = TypeVar("T", bound="ExportStatus")


@_attrs_define
class ExportStatus:
    """Export result object."""

    status: ExportState
    """ State of the export: `importing` (exporting), `fail` (export failure),
    `success` (export success).
     """
    group: BatchOperation | None | Unset = UNSET
    """ Group information, which can be ignored during export. """
    rate: str | Unset = UNSET
    """ Indicates the current progress, as text. Huawei's documented
    answers use two scales: `"0"` while an export starts (the seed's
    example, a percentage `"0"` to `"100"`) and `"1.00"` once an
    import succeeded (ImportResult's example, a fraction `"0.00"` to
    `"1.00"`). A reader cannot tell `"1"` on one scale from `"1"` on
    the other, so clients take the status as the authority: at
    `success` the progress is complete whatever the rate says
    (how the toolkit reads a rate: docs/fidelity.md).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_operation import BatchOperation  # noqa: PLC0415

        status = self.status.value

        group: dict[str, Any] | None | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        elif isinstance(self.group, BatchOperation):
            group = self.group.to_dict()
        else:
            group = self.group

        rate = self.rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if group is not UNSET:
            field_dict["group"] = group
        if rate is not UNSET:
            field_dict["rate"] = rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_operation import BatchOperation  # noqa: PLC0415

        d = dict(src_dict)
        status = ExportState(d.pop("status"))

        def _parse_group(data: object) -> BatchOperation | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                group_type_0 = BatchOperation.from_dict(data)

                return group_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchOperation | None | Unset, data)

        group = _parse_group(d.pop("group", UNSET))

        rate = d.pop("rate", UNSET)

        export_status = cls(
            status=status,
            group=group,
            rate=rate,
        )

        export_status.additional_properties = d
        return export_status

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
