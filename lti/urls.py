from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/<uuid:registration_uuid>/", views.LoginView.as_view(), name="login-registration"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("choose/", views.choose, name="choose"),
    path("deep-link/", views.deep_link, name="deep-link"),
]
