from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportParam")


@_attrs_define
class ExportParam:
    """What to export. All fields are optional; which ones apply depends on
    `type`. Long IDs are strings and `asyn` a boolean, as the API
    Explorer's schema says (its example body writes the IDs as numbers
    and `asyn` as the string `"true"`; the schema wins, docs/fidelity.md).

    """

    ids: list[str] | Unset = UNSET
    """ IDs of the objects to export (long IDs are sent as strings). """
    asyn: bool | Unset = UNSET
    """ Whether the export runs asynchronously. """
    type_: str | Unset = UNSET
    """ What to export, e.g. `ER`, `Directory_CodeTable`,
    `Directory_Standard`, `DIM`, `codeTable`, `dataStandard`,
    `TABLE_MODEL`, `import_bizcatalog`, `import_bizmetric`.
     """
    directory_id: str | Unset = UNSET
    """ Directory ID (a long ID sent as a string). """
    biz_catalog_id: str | Unset = UNSET
    """ Business catalog ID (a long ID sent as a string). """
    biz_catalog_id_list: list[str] | Unset = UNSET
    """ Business catalog IDs. """
    model_id: str | Unset = UNSET
    """ Model ID (a long ID sent as a string). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ids: list[str] | Unset = UNSET
        if not isinstance(self.ids, Unset):
            ids = self.ids

        asyn = self.asyn

        type_ = self.type_

        directory_id = self.directory_id

        biz_catalog_id = self.biz_catalog_id

        biz_catalog_id_list: list[str] | Unset = UNSET
        if not isinstance(self.biz_catalog_id_list, Unset):
            biz_catalog_id_list = self.biz_catalog_id_list

        model_id = self.model_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ids is not UNSET:
            field_dict["ids"] = ids
        if asyn is not UNSET:
            field_dict["asyn"] = asyn
        if type_ is not UNSET:
            field_dict["type"] = type_
        if directory_id is not UNSET:
            field_dict["directory_id"] = directory_id
        if biz_catalog_id is not UNSET:
            field_dict["biz_catalog_id"] = biz_catalog_id
        if biz_catalog_id_list is not UNSET:
            field_dict["biz_catalog_id_list"] = biz_catalog_id_list
        if model_id is not UNSET:
            field_dict["model_id"] = model_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ids = cast(list[str], d.pop("ids", UNSET))

        asyn = d.pop("asyn", UNSET)

        type_ = d.pop("type", UNSET)

        directory_id = d.pop("directory_id", UNSET)

        biz_catalog_id = d.pop("biz_catalog_id", UNSET)

        biz_catalog_id_list = cast(list[str], d.pop("biz_catalog_id_list", UNSET))

        model_id = d.pop("model_id", UNSET)

        export_param = cls(
            ids=ids,
            asyn=asyn,
            type_=type_,
            directory_id=directory_id,
            biz_catalog_id=biz_catalog_id,
            biz_catalog_id_list=biz_catalog_id_list,
            model_id=model_id,
        )

        export_param.additional_properties = d
        return export_param

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
