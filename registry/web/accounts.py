"""Signing in and out. Django's auth does the work; this adds GOV.UK pages and
a throttle on failed sign-ins."""
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.shortcuts import render
from django.urls import path, reverse

from registry import permissions
from registry.forms.base import GovukForm
from registry.throttles import client_address

MAX_FAILURES = getattr(settings, "REGISTRY_SIGN_IN_MAX_FAILURES", 5)
LOCKOUT_SECONDS = getattr(settings, "REGISTRY_SIGN_IN_LOCKOUT_SECONDS", 15 * 60)


def _client_ip(request):
    return client_address(request)


def _throttle_key(username, request):
    return f"registry:sign-in:{(username or '').strip().lower()}:{_client_ip(request)}"


class SignInForm(AuthenticationForm, GovukForm):
    """Email and password; after MAX_FAILURES wrong attempts from one address for one
    account, further attempts are refused for LOCKOUT_SECONDS without checking the password."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account is inactive",
        "locked": "Too many attempts to sign in. Wait 15 minutes, then try again.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def clean(self):
        key = _throttle_key(self.data.get("username"), self.request)
        if cache.get(key, 0) >= MAX_FAILURES:
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, LOCKOUT_SECONDS)
            raise


class SignInView(auth_views.LoginView):
    template_name = "registry/accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """With no "next", a moderator lands on the review queue: deciding is their work here."""
        if permissions.can_review(self.request.user):
            return reverse("registry:review-queue")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        cache.delete(_throttle_key(form.cleaned_data.get("username"), self.request))
        return super().form_valid(form)


class SignOutView(auth_views.LogoutView):
    """Sign-out is a POST (Django 5); a GET shows a page with the button."""

    template_name = "registry/accounts/sign_out.html"
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name)


urlpatterns = [
    path("sign-in/", SignInView.as_view(), name="sign-in"),
    path("sign-out/", SignOutView.as_view(), name="sign-out"),
]
