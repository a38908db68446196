"""Tables of the model library: drafts a manager edits, and the test cases kept with each deployed version."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class DraftStatus:
    OPEN = "open"
    DEPLOYED = "deployed"
    DISCARDED = "discarded"


class DefinitionDraft(Base):
    """A definition being edited: XML, forms and test cases as last saved, and the problems found on that save."""

    __tablename__ = "definition_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    title: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text)  # {"file name": form document}
    cases_json: Mapped[str] = mapped_column(Text)  # a bpmn_tests case document
    problems_json: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DraftStatus.OPEN)
    deployed_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def problems(self) -> list[dict]:
        """The problems found on the last save ([{element_id, message}])."""
        return json.loads(self.problems_json or "[]")


class DefinitionSuite(Base):
    """The test cases a version was deployed with, so an export or the next draft carries them."""

    __tablename__ = "definition_suite"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), unique=True)
    cases_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
