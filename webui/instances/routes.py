from flask import Blueprint

bp = Blueprint("instances", __name__)
