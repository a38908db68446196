from flask import Flask


def register_template_helpers(app: Flask) -> None:
    pass
