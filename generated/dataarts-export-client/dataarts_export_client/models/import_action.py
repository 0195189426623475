from enum import StrEnum
from typing import Self


class ImportAction(StrEnum):
    IMPORT_AGGREGATION = "import_aggregation"
    IMPORT_ATOMIC = "import_atomic"
    IMPORT_BIZCATALOG = "import_bizcatalog"
    IMPORT_BIZMETRIC = "import_bizmetric"
    IMPORT_CODETABLE = "import_codetable"
    IMPORT_COMPOUND = "import_compound"
    IMPORT_DATASTANDARD = "import_datastandard"
    IMPORT_DERIVATIVE = "import_derivative"
    IMPORT_DIMENSION = "import_dimension"
    IMPORT_RELATION = "import_relation"

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Keep a string value the spec does not list, as a pseudo-member (see `is_known`)."""
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = f"UNKNOWN[{value}]"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether the spec documents this value (False for one a newer service has added)."""
        return self._value_ in type(self)._value2member_map_

    def __str__(self) -> str:
        return str(self.value)
