from enum import StrEnum


class ExportState(StrEnum):
    FAIL = "fail"
    IMPORTING = "importing"
    SUCCESS = "success"

    def __str__(self) -> str:
        return str(self.value)
