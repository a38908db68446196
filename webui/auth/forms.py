from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from registry.staff.accounts import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    username = StringField("利用者名", validators=[DataRequired("利用者名を入力してください"), Length(max=100)])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください"),
                                                      Length(max=MAX_PASSWORD)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("今のパスワード", validators=[DataRequired("今のパスワードを入力してください"),
                                                        Length(max=MAX_PASSWORD)])
    new = PasswordField("新しいパスワード", validators=[
        DataRequired("新しいパスワードを入力してください"),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD, message=f"{MIN_PASSWORD}〜{MAX_PASSWORD}文字で入力してください")])
    confirm = PasswordField("新しいパスワード（確認）", validators=[
        DataRequired("確認のためもう一度入力してください"), EqualTo("new", "確認用のパスワードが一致しません")])
