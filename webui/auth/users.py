"""The signed-in user: Flask-Login's view of a staff account, and role checks for routes."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import UserMixin, current_user

from engine.actor import ROLE_LABELS, Actor
from handlers.services.staff import Account
from registry.staff.models import StaffUser
from webui.extensions import login_manager
from webui.wiring import product


class LoginUser(UserMixin):
    """The session stores "<user id>:<session generation>"; a session whose generation is old is refused."""

    def __init__(self, account: Account):
        self.user_id = account.id
        self.username = account.username
        self.display_name = account.display_name
        self.role = account.role
        self.session_generation = account.session_generation

    def get_id(self) -> str:
        return f"{self.user_id}:{self.session_generation}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.display_name)


@login_manager.user_loader
def load_user(session_id: str) -> LoginUser | None:
    """The user of a session, while the account is active and the session's generation is the current one."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    with product().session_factory() as session:
        user = session.get(StaffUser, int(user_id))
        if user is None or not user.is_active or (user.session_generation or 0) != int(generation):
            return None
        return LoginUser(Account.of(user))


def current_actor() -> Actor:
    return current_user.actor


def roles_required(*roles: str):
    """Let only these roles through; others get 403 (401 when not signed in)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


ALL_ROLES = tuple(ROLE_LABELS)
CLERK_ROLES = ("madoguchi", "backyard", "manager")
