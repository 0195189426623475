from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.operation_status import OperationStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="BatchOperation")


@_attrs_define
class BatchOperation:
    """Batch operation (group) information: the outcome of one batch of
    objects (an import's rows, an export's objects). Every field may be
    `null`: Huawei's documented ImportResult answer (API Explorer
    `ImportResult.json`, the same `DsProcessImportResultVO`) has `null`
    in `id`, `biz_id`, `biz_info`, `biz_name`, `logs`, `remark`, `rate`
    and `groups`; the other fields are nullable too, since no source
    says they are never null. IDs are strings, as the API Explorer and
    the current API references say (Huawei's 2022 EU API reference
    typed `id`, `group_id` and `biz_id` as Long).

    """

    id: None | str | Unset = UNSET
    """ Batch approval ID, which is a string. """
    tenant_id: None | str | Unset = UNSET
    """ Project ID. """
    group_id: None | str | Unset = UNSET
    """ Group ID, which is a string. """
    biz_name: None | str | Unset = UNSET
    """ Service name. """
    biz_id: None | str | Unset = UNSET
    """ Business ID, which is a string. """
    operation_status: None | OperationStatus | Unset = UNSET
    """ Operation result type (`null` allowed, like every field here). """
    operation_type: None | str | Unset = UNSET
    """ Indicates the type, e.g. `IMPORT_CODETABLE`. """
    biz_info: None | str | Unset = UNSET
    """ Service details (Huawei's example sends a JSON document as text). """
    create_by: None | str | Unset = UNSET
    """ Creator. """
    remark: None | str | Unset = UNSET
    """ Indicates the remark information, e.g. `SKIP`. """
    total: int | None | Unset = 0
    """ Total number. """
    success: int | None | Unset = 0
    """ Number of successful operations. """
    failed: int | None | Unset = 0
    """ Indicates the number of failed operations. """
    rate: None | str | Unset = "0"
    """ Indicates the current progress, on either of the two scales
    Huawei's answers use: a percentage (`"0"` to `"100"`) or a
    fraction (`"0.00"` to `"1.00"`); see `DsExportResultVOData.rate`.
     """
    logs: None | str | Unset = UNSET
    """ Logs. """
    groups: list[BatchOperation] | None | Unset = UNSET
    """ Group information (nested batches; `null` in Huawei's example). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        else:
            tenant_id = self.tenant_id

        group_id: None | str | Unset
        if isinstance(self.group_id, Unset):
            group_id = UNSET
        else:
            group_id = self.group_id

        biz_name: None | str | Unset
        if isinstance(self.biz_name, Unset):
            biz_name = UNSET
        else:
            biz_name = self.biz_name

        biz_id: None | str | Unset
        if isinstance(self.biz_id, Unset):
            biz_id = UNSET
        else:
            biz_id = self.biz_id

        operation_status: None | str | Unset
        if isinstance(self.operation_status, Unset):
            operation_status = UNSET
        elif isinstance(self.operation_status, OperationStatus):
            operation_status = self.operation_status.value
        else:
            operation_status = self.operation_status

        operation_type: None | str | Unset
        if isinstance(self.operation_type, Unset):
            operation_type = UNSET
        else:
            operation_type = self.operation_type

        biz_info: None | str | Unset
        if isinstance(self.biz_info, Unset):
            biz_info = UNSET
        else:
            biz_info = self.biz_info

        create_by: None | str | Unset
        if isinstance(self.create_by, Unset):
            create_by = UNSET
        else:
            create_by = self.create_by

        remark: None | str | Unset
        if isinstance(self.remark, Unset):
            remark = UNSET
        else:
            remark = self.remark

        total: int | None | Unset
        if isinstance(self.total, Unset):
            total = UNSET
        else:
            total = self.total

        success: int | None | Unset
        if isinstance(self.success, Unset):
            success = UNSET
        else:
            success = self.success

        failed: int | None | Unset
        if isinstance(self.failed, Unset):
            failed = UNSET
        else:
            failed = self.failed

        rate: None | str | Unset
        if isinstance(self.rate, Unset):
            rate = UNSET
        else:
            rate = self.rate

        logs: None | str | Unset
        if isinstance(self.logs, Unset):
            logs = UNSET
        else:
            logs = self.logs

        groups: list[dict[str, Any]] | None | Unset
        if isinstance(self.groups, Unset):
            groups = UNSET
        elif isinstance(self.groups, list):
            groups = []
            for groups_type_0_item_data in self.groups:
                groups_type_0_item = groups_type_0_item_data.to_dict()
                groups.append(groups_type_0_item)

        else:
            groups = self.groups

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

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_tenant_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        def _parse_group_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group_id = _parse_group_id(d.pop("group_id", UNSET))

        def _parse_biz_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        biz_name = _parse_biz_name(d.pop("biz_name", UNSET))

        def _parse_biz_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        biz_id = _parse_biz_id(d.pop("biz_id", UNSET))

        def _parse_operation_status(data: object) -> None | OperationStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                operation_status_type_0 = OperationStatus(data)

                return operation_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OperationStatus | Unset, data)

        operation_status = _parse_operation_status(d.pop("operation_status", UNSET))

        def _parse_operation_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation_type = _parse_operation_type(d.pop("operation_type", UNSET))

        def _parse_biz_info(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        biz_info = _parse_biz_info(d.pop("biz_info", UNSET))

        def _parse_create_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        create_by = _parse_create_by(d.pop("create_by", UNSET))

        def _parse_remark(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        remark = _parse_remark(d.pop("remark", UNSET))

        def _parse_total(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total = _parse_total(d.pop("total", UNSET))

        def _parse_success(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        success = _parse_success(d.pop("success", UNSET))

        def _parse_failed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        failed = _parse_failed(d.pop("failed", UNSET))

        def _parse_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rate = _parse_rate(d.pop("rate", UNSET))

        def _parse_logs(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logs = _parse_logs(d.pop("logs", UNSET))

        def _parse_groups(data: object) -> list[BatchOperation] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                groups_type_0 = []
                _groups_type_0 = data
                for groups_type_0_item_data in _groups_type_0:
                    groups_type_0_item = BatchOperation.from_dict(groups_type_0_item_data)

                    groups_type_0.append(groups_type_0_item)

                return groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BatchOperation] | None | Unset, data)

        groups = _parse_groups(d.pop("groups", UNSET))

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
