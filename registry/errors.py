"""Errors of the registry domain.

RegistryError (code, message)
├── NotEligible          not_eligible          — the person may not register (reason code in .reason)
├── NumberingError       numbering_failed      — 1.3.2 could not assign a number
├── RecordNotFound       record_not_found
├── BlobNotFound         blob_not_found
├── CardNumberError      invalid_card_number   — 5.2: malformed / missing_card_number / card_number_taken
└── PurgeRefused         purge_refused         — 除票 purge asked for records inside the retention period
"""


class RegistryError(Exception):
    code = "registry_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotEligible(RegistryError):
    code = "not_eligible"

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class NumberingError(RegistryError):
    code = "numbering_failed"


class RecordNotFound(RegistryError):
    code = "record_not_found"


class BlobNotFound(RegistryError):
    code = "blob_not_found"


class CardNumberError(RegistryError):
    code = "invalid_card_number"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class PurgeRefused(RegistryError):
    code = "purge_refused"
