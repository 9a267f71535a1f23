"""Form of the second-factor page."""
from django import forms
from django.core.validators import RegexValidator

TOKEN_ERROR = "Mã xác thực gồm đúng 6 chữ số."


class OtpTokenField(forms.CharField):
    """A one-time code; spaces the user may type ("123 456") are dropped before validation."""

    def to_python(self, value) -> str:
        """The text without any whitespace."""
        return "".join(super().to_python(value).split())


class OtpTokenForm(forms.Form):
    """The 6-digit code from an authenticator app."""

    token = OtpTokenField(
        label="Mã xác thực (6 chữ số)",
        validators=[RegexValidator(r"^[0-9]{6}$", TOKEN_ERROR)],
        error_messages={"required": "Vui lòng nhập mã xác thực."},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]{6,7}",
            "maxlength": 7, "autofocus": True, "size": 8}),
    )
