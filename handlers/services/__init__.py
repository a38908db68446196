"""Application services: what pages, the API and the CLIs call outside a flow (certificates, documents,
staff, settings, コンビニ交付, batch printing, mailing)."""
