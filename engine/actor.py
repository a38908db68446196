"""Who is acting: the engine's view of a signed-in user (no Flask, no password)."""

from dataclasses import dataclass

ROLE_LABELS = {
    "madoguchi": "窓口",
    "backyard": "バックヤード",
    "manager": "管理者",
    "auditor": "監査",
    "admin": "システム管理",
}

LANE_OF_ROLE = {"madoguchi": "窓口", "backyard": "バックヤード"}

# Managers supervise both lanes; admins operate but do not work cases; auditors only read.
WORKABLE_LANES = {
    "madoguchi": ("窓口",),
    "backyard": ("バックヤード",),
    "manager": ("窓口", "バックヤード"),
    "auditor": (),
    "admin": (),
}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    display_name: str = ""

    @property
    def lanes(self) -> tuple[str, ...]:
        return WORKABLE_LANES.get(self.role, ())

    def may_work(self, lane: str) -> bool:
        return lane in self.lanes

    @property
    def may_start(self) -> bool:
        return bool(self.lanes)


SYSTEM = Actor(username="system", role="admin", display_name="システム")
