from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("利用者名", validators=[DataRequired("利用者名を入力してください"), Length(max=100)])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください")])
