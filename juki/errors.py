"""Errors raised by the resident register (住基) adapter.

Hierarchy::

    JukiError                 base; every error carries a snake_case ``code`` and a Japanese ``message``
    ├── ResidentNotFound      code 'resident_not_found': no resident with the given key
    ├── InvalidQuery          code 'invalid_query': empty search, malformed kana / date / id, bad paging
    ├── InvalidChange         code 'invalid_change': a simulator change that cannot be recorded as asked
    └── JukiUnavailable       code 'juki_unavailable': the external register did not answer (down, slow, broken)
        └── JlisUnavailable   code 'jlis_unavailable': J-LIS did not answer a 5.4 certificate check

JlisUnavailable is a JukiUnavailable so every place that treats "a neighbour is down, retry later" (a service
task's incident with its code, 503 on a page) handles J-LIS the same way without knowing it.

The module imports nothing from the rest of the package, so any layer may import it.
"""


class JukiError(Exception):
    """Base error of the juki package; ``code`` is stable, ``message`` is shown to staff."""

    code = "juki_error"
    default_message = "住民記録システムでエラーが発生しました。"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ResidentNotFound(JukiError):
    """No resident with the requested key exists in the register."""

    code = "resident_not_found"
    default_message = "該当する住民記録がありません。"


class InvalidQuery(JukiError):
    """A search or lookup was asked with missing or malformed criteria."""

    code = "invalid_query"
    default_message = "検索条件が正しくありません。"


class InvalidChange(JukiError):
    """The simulated register refused to record a change (bad values, or it conflicts with later changes)."""

    code = "invalid_change"
    default_message = "この異動は記録できません。"


class JukiUnavailable(JukiError):
    """The resident register could not be reached or did not answer in time; the work can be retried."""

    code = "juki_unavailable"
    default_message = ("住民記録システムに接続できません（応答なし・時間切れ）。しばらくしてから"
                       "「再試行」してください。")


class JlisUnavailable(JukiUnavailable):
    """J-LIS did not answer a 5.4 certificate check (down, or slower than INKAN_JLIS_TIMEOUT); retry later."""

    code = "jlis_unavailable"
    default_message = ("J-LIS（地方公共団体情報システム機構）が応答しないため、個人番号カードの電子証明書を確認できません。"
                       "しばらくしてから「再試行」してください。")
