"""A test client that answers the 閲覧の目的 question the way a clerk does when a page asks it.

The product asks once per person and case in a session; tests that are about something else sign in with a
purpose (conftest's `login(role, purpose=…)`) and get this client: on a redirect to the form it posts that purpose
with the form's next / back, then asks for the page again (or, for a download sent back to its page, follows the
form's answer, as a browser would). With purpose None the question stays unanswered.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

FORM = "/audit/purpose"


class AnsweringClient(FlaskClient):
    purpose: str | None = None
    note: str | None = None  # the 内容 typed with the purpose («その他» needs one)
    answered = 0  # how often the question was answered (tests of the walk count them)

    def open(self, *args, follow_redirects: bool = False, **kwargs):
        response = super().open(*args, **kwargs)
        asked = self._question(response)
        if asked is not None:
            answer = super().open(FORM, method="POST", data={"purpose": self.purpose, "note": self.note or "", **asked})
            assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
            self.answered += 1
            location = answer.headers["Location"]
            response = super().open(*args, **kwargs) if location == asked["next"] else super().open(location)
        while follow_redirects and 300 <= response.status_code < 400:
            response = self.resolve_redirect(response)
        return response

    def _question(self, response) -> dict | None:
        if not self.purpose or response.status_code != 302:
            return None
        location = urlsplit(response.headers.get("Location", ""))
        if location.path != FORM:
            return None
        query = parse_qs(location.query)
        return {name: values[0] for name, values in query.items() if name in ("next", "back")}


def answering_client(app, purpose: str | None, note: str | None = None) -> AnsweringClient:
    client = AnsweringClient(app, app.response_class, use_cookies=True)
    client.purpose, client.note = purpose, note
    return client
