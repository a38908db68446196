from flask import Blueprint

bp = Blueprint("residents", __name__)
