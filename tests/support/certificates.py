"""6.1 set-up for tests: the office seal certificates need (handlers.casework writes it, as for bpmn_tests cases)."""

from __future__ import annotations

from handlers import casework


def ensure_office_seal(product) -> None:
    """Certificates refuse to print without the office seal image in the municipality settings."""
    with product.session_factory.begin() as session:
        casework.ensure_office_seal(session, product.services)


def unspaced(text: str) -> str:
    """Text without its spaces: a PDF's extracted text spaces letters out, and a foreign name has a space of its own,
    so a name is looked for with both sides unspaced."""
    return text.replace(" ", "").replace("\u3000", "")
