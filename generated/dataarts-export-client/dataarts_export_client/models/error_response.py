from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_data import ErrorData
    from ..models.error_detail import ErrorDetail


T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """Error answer, in any of the three shapes Huawei's sources show
    (docs/fidelity.md): the API reference's `{"error_code",
    "error_msg", "data"}` (the seed shows only `data`); DataArts
    Architecture's own `{"errors": [{"error_code", "error_msg"}]}`
    (Huawei's Terraform provider reads `errors[0].error_code`); and the
    API gateway's `{"error_code", "error_msg", "request_id"}` (APIG.*
    codes: authentication, throttling). All members are optional, so
    each shape validates; a client reads the code from `error_code`
    or, failing that, from `errors[0].error_code`.

    """

    data: ErrorData | None | Unset = UNSET
    """ Returned data information. """
    error_code: str | Unset = UNSET
    """ Error code, e.g. `APIG.0301` (gateway shape) or `DS.6000` (API reference shape). """
    error_msg: str | Unset = UNSET
    """ Error message (gateway and API reference shapes). """
    request_id: str | Unset = UNSET
    """ ID of the request, for support (gateway shape; also in the `X-Request-Id` header). """
    errors: list[ErrorDetail] | Unset = UNSET
    """ DataArts Architecture's errors, the first of which says why (e.g. `DLG.0818`). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_data import ErrorData  # noqa: PLC0415

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, ErrorData):
            data = self.data.to_dict()
        else:
            data = self.data

        error_code = self.error_code

        error_msg = self.error_msg

        request_id = self.request_id

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if data is not UNSET:
            field_dict["data"] = data
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if error_msg is not UNSET:
            field_dict["error_msg"] = error_msg
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_data import ErrorData  # noqa: PLC0415
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_data(data: object) -> ErrorData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = ErrorData.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorData | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        error_code = d.pop("error_code", UNSET)

        error_msg = d.pop("error_msg", UNSET)

        request_id = d.pop("request_id", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[ErrorDetail] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = ErrorDetail.from_dict(errors_item_data)

                errors.append(errors_item)

        error_response = cls(
            data=data,
            error_code=error_code,
            error_msg=error_msg,
            request_id=request_id,
            errors=errors,
        )

        error_response.additional_properties = d
        return error_response

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
