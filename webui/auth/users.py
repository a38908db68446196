"""The signed-in user: Flask-Login's view of a staff account, and role checks for routes."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import UserMixin, current_user

from engine.actor import ROLE_LABELS, Actor
from registry.staff import accounts
from registry.staff.models import StaffUser
from webui.extensions import login_manager
from webui.wiring import product


class LoginUser(UserMixin):
    def __init__(self, user: StaffUser):
        self.id = str(user.id)
        self.username = user.username
        self.display_name = user.display_name
        self.role = user.role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.display_name)


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    with product().session_factory() as session:
        user = session.get(StaffUser, int(user_id)) if user_id.isdigit() else None
        return LoginUser(user) if user is not None and user.is_active else None


@login_manager.request_loader
def load_user_from_token(req) -> LoginUser | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    with product().session_factory() as session:
        user = accounts.user_for_token(session, header[7:].strip())
        if user is None:
            return None
        g.api_token_user = True
        return LoginUser(user)


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
