from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.operation_status import OperationStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="BatchOperation")


@_attrs_define
class BatchOperation:
    """Batch operation (group) information."""

    id: str | Unset = UNSET
    """ Batch approval ID, which is a string. """
    tenant_id: str | Unset = UNSET
    """ Project ID. """
    group_id: str | Unset = UNSET
    """ Group ID, which is a string. """
    biz_name: str | Unset = UNSET
    """ Service name. """
    biz_id: str | Unset = UNSET
    """ Business ID, which is a string. """
    operation_status: OperationStatus | Unset = UNSET
    """ Operation result type: `RUNNING` (running), `SUCCESS` (operation
    succeeded), `FAILED` (operation failed).
     """
    operation_type: str | Unset = UNSET
    """ Indicates the type. """
    biz_info: str | Unset = UNSET
    """ Service details. """
    create_by: str | Unset = UNSET
    """ Creator. """
    remark: str | Unset = UNSET
    """ Indicates the remark information. """
    total: int | Unset = 0
    """ Total number. """
    success: int | Unset = 0
    """ Number of successful operations. """
    failed: int | Unset = 0
    """ Indicates the number of failed operations. """
    rate: str | Unset = "0"
    """ Indicates the current progress. """
    logs: str | Unset = UNSET
    """ Logs. """
    groups: list[BatchOperation] | Unset = UNSET
    """ Group information. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        tenant_id = self.tenant_id

        group_id = self.group_id

        biz_name = self.biz_name

        biz_id = self.biz_id

        operation_status: str | Unset = UNSET
        if not isinstance(self.operation_status, Unset):
            operation_status = self.operation_status.value

        operation_type = self.operation_type

        biz_info = self.biz_info

        create_by = self.create_by

        remark = self.remark

        total = self.total

        success = self.success

        failed = self.failed

        rate = self.rate

        logs = self.logs

        groups: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = []
            for groups_item_data in self.groups:
                groups_item = groups_item_data.to_dict()
                groups.append(groups_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if group_id is not UNSET:
            field_dict["group_id"] = group_id
        if biz_name is not UNSET:
            field_dict["biz_name"] = biz_name
        if biz_id is not UNSET:
            field_dict["biz_id"] = biz_id
        if operation_status is not UNSET:
            field_dict["operation_status"] = operation_status
        if operation_type is not UNSET:
            field_dict["operation_type"] = operation_type
        if biz_info is not UNSET:
            field_dict["biz_info"] = biz_info
        if create_by is not UNSET:
            field_dict["create_by"] = create_by
        if remark is not UNSET:
            field_dict["remark"] = remark
        if total is not UNSET:
            field_dict["total"] = total
        if success is not UNSET:
            field_dict["success"] = success
        if failed is not UNSET:
            field_dict["failed"] = failed
        if rate is not UNSET:
            field_dict["rate"] = rate
        if logs is not UNSET:
            field_dict["logs"] = logs
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        tenant_id = d.pop("tenant_id", UNSET)

        group_id = d.pop("group_id", UNSET)

        biz_name = d.pop("biz_name", UNSET)

        biz_id = d.pop("biz_id", UNSET)

        _operation_status = d.pop("operation_status", UNSET)
        operation_status: OperationStatus | Unset
        if isinstance(_operation_status, Unset):
            operation_status = UNSET
        else:
            operation_status = OperationStatus(_operation_status)

        operation_type = d.pop("operation_type", UNSET)

        biz_info = d.pop("biz_info", UNSET)

        create_by = d.pop("create_by", UNSET)

        remark = d.pop("remark", UNSET)

        total = d.pop("total", UNSET)

        success = d.pop("success", UNSET)

        failed = d.pop("failed", UNSET)

        rate = d.pop("rate", UNSET)

        logs = d.pop("logs", UNSET)

        _groups = d.pop("groups", UNSET)
        groups: list[BatchOperation] | Unset = UNSET
        if _groups is not UNSET:
            groups = []
            for groups_item_data in _groups:
                groups_item = BatchOperation.from_dict(groups_item_data)

                groups.append(groups_item)

        batch_operation = cls(
            id=id,
            tenant_id=tenant_id,
            group_id=group_id,
            biz_name=biz_name,
            biz_id=biz_id,
            operation_status=operation_status,
            operation_type=operation_type,
            biz_info=biz_info,
            create_by=create_by,
            remark=remark,
            total=total,
            success=success,
            failed=failed,
            rate=rate,
            logs=logs,
            groups=groups,
        )

        batch_operation.additional_properties = d
        return batch_operation

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
