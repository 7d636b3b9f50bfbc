"""Forms the project swaps into Wagtail's admin."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's login form, with a translatable label on the password field.

    Wagtail declares the field without a label, so Django falls back to the field name and the
    Bangla login page showed "Password" in English (WAGTAILADMIN_USER_LOGIN_FORM).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
